// One agent process for e2e scenarios: the real CLI on a loopback port with a YAML config
// written to a private dir, stopped (SIGTERM, then SIGKILL) by stop().
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import type { SentinelConfigInput } from '../../../src/config/schema.js';
import { freeLoopbackPort } from '../../support/ports.js';
import { startPrivateDaemon } from '../../support/private-daemon.js';
import { parseExposition, type ExpositionSample } from '../../support/exposition.js';

/** The fields of the healer's audit entries that scenarios assert on. */
export interface AuditEntry {
  decision: string;
  reason?: string;
  source: string;
  alertname: string;
  fingerprint: string;
  action?: string;
  target?: string;
}

export interface AgentProcess {
  url: string;
  /** `127.0.0.1:PORT`, for Prometheus' scrape targets (and the `instance` label). */
  address: string;
  /** The agent's private dir: its config, token and audit file. */
  dir: string;
  /** The samples of /metrics now. */
  metrics(): Promise<ExpositionSample[]>;
  /** When the latest collection round started (from /status), Unix milliseconds; 0 before the first. */
  lastCollection(): Promise<number>;
  /** The healing decisions in the audit file (`audit.jsonl` in `dir`), oldest first. */
  audit(): Promise<AuditEntry[]>;
  /** What the agent wrote, for failure messages. */
  output(): string;
  /** Stops the agent and deletes its dir. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts `cli` with `config` (its `web.listen_address` is set here). `files` are written
 * to the agent's dir first; `config` may name them through the `dir` it is given.
 */
export async function startAgent(
  cli: string,
  makeConfig: (dir: string) => SentinelConfigInput,
  files: Record<string, string> = {},
): Promise<AgentProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-agent-'));
  const port = await freeLoopbackPort();
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), content, { mode: 0o600 });
  }
  const made = makeConfig(dir);
  // The audit file is where scenarios read the healer's decisions.
  const config = {
    ...made,
    web: { listen_address: address },
    recovery: { ...made.recovery, audit_file: join(dir, 'audit.jsonl') },
  };
  await writeFile(join(dir, 'sentinel.yml'), stringifyYaml(config));

  // In its own folder: the command keeps detector state in data/ below its working
  // directory, and no run may inherit another's learned normal.
  const running = await startPrivateDaemon({
    what: `agent on port ${port}`,
    dir,
    command: process.execPath,
    args: [cli, `--config.file=${join(dir, 'sentinel.yml')}`],
    cwd: dir,
    readyUrl: `${url}/healthz`,
  });
  return {
    url,
    address,
    dir,
    metrics: async () => {
      // As Prometheus asks for it, so the scenarios read what Prometheus reads.
      const response = await fetch(`${url}/metrics`, {
        headers: { accept: 'application/openmetrics-text; version=1.0.0' },
        signal: AbortSignal.timeout(5_000),
      });
      return parseExposition(await response.text());
    },
    lastCollection: async () => {
      const response = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
      const status = (await response.json()) as { collection: { last_collection: string | null } };
      const last = status.collection.last_collection;
      return last === null ? 0 : Date.parse(last);
    },
    audit: async () => {
      const text = await readFile(join(dir, 'audit.jsonl'), 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as AuditEntry);
    },
    output: () => running.daemon.output(),
    stop: running.stop,
  };
}
