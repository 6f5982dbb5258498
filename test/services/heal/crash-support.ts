// For crash tests: the real agent (`node cli.js`) in a folder that outlives it, so it can
// be killed with SIGKILL and started again on its journal; a Redis run as the shipped
// docker-compose.yml runs it (append-only file); and an exec action that records each
// run's start and end, with its pid and a timestamp, in a file.
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import type { RecoveryConfigInput } from '../../../src/config/recovery.js';
import { buildAgent } from '../../e2e/support/agent-build.js';
import { freeLoopbackPort } from '../../support/ports.js';
import { answersOk } from '../../support/private-daemon.js';
import { type DaemonProcess, spawnDaemon, waitUntilReady } from '../../support/processes.js';

let built: Promise<string> | undefined;

/** The agent's cli.js, built once per test run. */
export function agentCli(): Promise<string> {
  built ??= buildAgent();
  return built;
}

export interface AuditLine {
  time: string;
  decision: string;
  reason?: string;
  fingerprint: string;
  target?: string;
  attempt?: number;
  orphan?: string;
  rerun?: boolean;
}

export interface CrashableAgent {
  url: string;
  dir: string;
  /**
   * Starts the agent (again) on the same folder, config and port; resolves once /healthz
   * answers 2xx (or answers at all, with `healthy: false`).
   */
  start(options?: { healthy?: boolean }): Promise<void>;
  /** SIGKILL: no shutdown, no flush; the actions' process groups live on. */
  kill9(): Promise<void>;
  /** POSTs a notification to /heal; resolves to the status and body. */
  post(body: object): Promise<{ status: number; body: Record<string, unknown> }>;
  audit(): Promise<AuditLine[]>;
  output(): string;
  /** Stops the agent and removes its folder. */
  cleanup(): Promise<void>;
}

export async function crashableAgent(
  recovery: RecoveryConfigInput,
  policyYaml: (dir: string) => string,
): Promise<CrashableAgent> {
  const cli = await agentCli();
  const dir = await mkdtemp(join(tmpdir(), 'aegis-crash-'));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  await writeFile(join(dir, 'policy.yml'), policyYaml(dir));
  await writeFile(
    join(dir, 'sentinel.yml'),
    stringifyYaml({
      web: { listen_address: `127.0.0.1:${port}` },
      monitoring: {
        collection_interval: 1,
        docker_host: `unix://${join(dir, 'no-docker.sock')}`,
      },
      recovery: {
        auth_disabled: true,
        enable_local_alerts: false,
        policy_file: join(dir, 'policy.yml'),
        audit_file: join(dir, 'audit.jsonl'),
        journal_file: join(dir, 'journal.jsonl'),
        ...recovery,
      },
    }),
  );
  let daemon: DaemonProcess | undefined;
  let log = '';
  return {
    url,
    dir,
    async start({ healthy = true } = {}) {
      if (daemon) log += daemon.output();
      const started = spawnDaemon(
        process.execPath,
        [cli, `--config.file=${join(dir, 'sentinel.yml')}`],
        { cwd: dir },
      );
      daemon = started;
      const answers = async (): Promise<boolean> =>
        fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
          () => true,
          () => false,
        );
      const ready = healthy ? () => answersOk(`${url}/healthz`) : answers;
      await waitUntilReady(`agent on port ${port}`, ready, {
        daemon: started,
        timeoutMs: 60_000,
      });
    },
    async kill9() {
      await daemon?.stop('SIGKILL');
    },
    async post(body) {
      const response = await fetch(`${url}/heal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async audit() {
      const text = await readFile(join(dir, 'audit.jsonl'), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as AuditLine);
    },
    output: () => log + (daemon?.output() ?? ''),
    async cleanup() {
      await daemon?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes `record.sh` to `dir`: `record.sh LOG EPISODE SECONDS` appends `start EPISODE PID
 * MS` to LOG, sleeps SECONDS, and appends `end EPISODE PID MS`.
 */
export async function writeRecorder(dir: string): Promise<string> {
  const file = join(dir, 'record.sh');
  await writeFile(
    file,
    [
      '#!/bin/sh',
      'echo "start $2 $$ $(date +%s%3N)" >> "$1"',
      'sleep "$3"',
      'echo "end $2 $$ $(date +%s%3N)" >> "$1"',
      '',
    ].join('\n'),
  );
  await chmod(file, 0o755);
  return file;
}

export interface Run {
  episode: string;
  pid: number;
  start: number;
  end?: number;
}

/** The runs `record.sh` wrote to `log`, in start order. */
export async function readRuns(log: string): Promise<Run[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  const runs = new Map<number, Run>();
  for (const line of text.split('\n')) {
    const [kind, episode, pid, ms] = line.split(' ');
    if (kind === 'start')
      runs.set(Number(pid), { episode: episode as string, pid: Number(pid), start: Number(ms) });
    else if (kind === 'end') {
      const run = runs.get(Number(pid));
      if (run) run.end = Number(ms);
    }
  }
  return [...runs.values()].sort((a, b) => a.start - b.start);
}

/** Pairs of runs on one target (episodes named TARGET-N) whose times overlap. */
export function overlaps(runs: readonly Run[], killedAt: (run: Run) => number): [Run, Run][] {
  const found: [Run, Run][] = [];
  const byTarget = new Map<string, Run[]>();
  for (const run of runs) {
    const target = run.episode.split('-')[0] as string;
    byTarget.set(target, [...(byTarget.get(target) ?? []), run]);
  }
  for (const list of byTarget.values()) {
    for (let i = 1; i < list.length; i += 1) {
      const before = list[i - 1] as Run;
      const after = list[i] as Run;
      if ((before.end ?? killedAt(before)) > after.start) found.push([before, after]);
    }
  }
  return found;
}

/** Whether process `pid` is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface PersistentRedis {
  url: string;
  /** SIGKILL, then start again on the same data folder. */
  killAndRestart(): Promise<void>;
  /** SIGKILL, delete the data, and start again: Redis back empty. */
  restartEmpty(): Promise<void>;
  stop(): Promise<void>;
}

/** redis-server as docker-compose.yml runs it: `--save '' --appendonly yes`, private folder, loopback. */
export async function startPersistentRedis(): Promise<PersistentRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-redis-aof-'));
  const port = await freeLoopbackPort();
  const args = [
    ...['--bind', '127.0.0.1', '--port', String(port), '--dir', dir],
    ...['--save', '', '--appendonly', 'yes', '--daemonize', 'no'],
  ];
  let server: DaemonProcess | undefined;
  const launch = async (): Promise<void> => {
    const started = spawnDaemon('redis-server', args);
    server = started;
    await waitUntilReady(`redis-server on port ${port}`, () => pings(port), { daemon: started });
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    async killAndRestart() {
      await server?.stop('SIGKILL');
      await launch();
    },
    async restartEmpty() {
      await server?.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      await launch();
    },
    async stop() {
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function pings(port: number): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
