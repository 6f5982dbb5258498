/**
 * The healer tier: agent processes (the built CLI) that only heal, on one shared state
 * store, each writing its log and its audit to its own dir. Their one rule runs a
 * counting `exec` (/bin/true) per episode on the alert's host, so every action is one
 * `started` entry in an audit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { freeLoopbackPort } from '../../test/support/ports.js';
import { answersOk } from '../../test/support/private-daemon.js';
import { waitUntilReady } from '../../test/support/processes.js';

export const HEAL_TOKEN = 'bench-fleet-token-0123456789abcdef';

export interface Replica {
  index: number;
  url: string;
  pid: number;
  dir: string;
  /** Audit entries, oldest first. */
  audit(): AuditLine[];
  /** Log lines (pino JSON), oldest first. */
  log(): LogLine[];
  stop(): Promise<void>;
}

export interface AuditLine {
  time: string;
  decision: string;
  reason?: string;
  target?: string;
  fingerprint: string;
  starts_at: string;
}

export interface LogLine {
  event?: string;
  time?: number;
  dispatch_delay_ms?: number;
  target?: string;
  starts_at?: string;
}

/** Where the replicas keep their state: one Redis, or Redis through Sentinel. */
export type StoreSettings =
  { redis_url: string } | { redis_sentinels: string[]; redis_sentinel_master: string };

const POLICY = [
  {
    name: 'fleet-restart',
    matchers: ['alertname="AegisContainerExited"'],
    action: 'exec',
    target: '{{ $labels.instance }}',
    argv: ['/bin/true'],
    cooldown: '0s',
    max_attempts: 1,
  },
];

export async function startReplica(
  index: number,
  cli: string,
  store: StoreSettings,
): Promise<Replica> {
  const dir = await mkdtemp(join(tmpdir(), `aegis-fleet-replica-${index}-`));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  await writeFile(join(dir, 'token'), `${HEAL_TOKEN}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'policy.yml'), stringifyYaml(POLICY));
  const config = {
    web: { listen_address: `127.0.0.1:${port}` },
    monitoring: {
      enable_host_monitoring: false,
      enable_endpoint_monitoring: false,
      enable_container_monitoring: false,
    },
    detection: { enabled: false },
    recovery: {
      ...store,
      policy_file: join(dir, 'policy.yml'),
      auth_token_file: join(dir, 'token'),
      audit_file: join(dir, 'audit.jsonl'),
      enable_local_alerts: false,
      enable_docker_recovery: false,
      enable_cache_recovery: false,
      enable_service_recovery: false,
      allowed_commands: ['/bin/true'],
      max_concurrent_actions: 16,
      // Every episode is acted on, however soon after the last on its host: the bench
      // counts the tier's exactly-once, not the policy's restraint.
      backoff_initial: '0s',
      action_timeout: '10s',
      verify_timeout: '5s',
    },
  };
  await writeFile(join(dir, 'sentinel.yml'), stringifyYaml(config));
  const logFile = join(dir, 'agent.log');
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    [cli, `--config.file=${join(dir, 'sentinel.yml')}`, '--log.level=info'],
    { cwd: dir, stdio: ['ignore', out, out] },
  );
  closeSync(out);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitUntilReady(`healer replica ${index}`, () => answersOk(`${url}/healthz`), {
      timeoutMs: 30_000,
    });
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${tail(logFile)}`, { cause: error });
  }
  return {
    index,
    url,
    pid: child.pid as number,
    dir,
    audit: () => jsonLines<AuditLine>(join(dir, 'audit.jsonl')),
    log: () => jsonLines<LogLine>(logFile),
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function jsonLines<T>(file: string): T[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A line cut by a kill: not a decision.
    }
  }
  return out;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-4_000);
  } catch {
    return '';
  }
}
