// One agent process for e2e scenarios: the real CLI on a loopback port with a YAML config
// written to a private dir, stopped (SIGTERM, then SIGKILL) by stop().
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import type { SentinelConfigInput } from '../../../src/config/schema.js';
import { freeLoopbackPort } from '../../support/ports.js';
import { type DaemonProcess, spawnDaemon, waitUntilReady } from '../../support/processes.js';
import { answersOk } from '../../support/prometheus.js';
import { parseExposition, type ExpositionSample } from './exposition.js';

export interface AgentProcess {
  url: string;
  /** `127.0.0.1:PORT`, for Prometheus' scrape targets (and the `instance` label). */
  address: string;
  /** A private dir for the agent's files (audit log, token). */
  dir: string;
  /** The samples of /metrics now. */
  metrics(): Promise<ExpositionSample[]>;
  /** GET /status, parsed. */
  status(): Promise<Record<string, unknown>>;
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
  const config = { ...makeConfig(dir), web: { listen_address: address } };
  await writeFile(join(dir, 'sentinel.yml'), stringifyYaml(config));

  let daemon: DaemonProcess | undefined;
  let stopping: Promise<void> | undefined;
  const agent: AgentProcess = {
    url,
    address,
    dir,
    metrics: async () => {
      const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
      return parseExposition(await response.text());
    },
    status: async () => {
      const response = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
      return (await response.json()) as Record<string, unknown>;
    },
    output: () => daemon?.output() ?? '',
    stop: () => {
      stopping ??= (async () => {
        await daemon?.stop();
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };

  try {
    daemon = spawnDaemon(process.execPath, [cli, `--config.file=${join(dir, 'sentinel.yml')}`]);
    await waitUntilReady(`agent on port ${port}`, () => answersOk(`${url}/healthz`), {
      daemon,
      timeoutMs: 30_000,
    });
  } catch (error) {
    await agent.stop();
    throw error;
  }
  return agent;
}
