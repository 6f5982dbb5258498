/**
 * The agent under test: `node dist/cli.js --config.file=...` with a generated config
 * (1 s collection, the bench's service as a probed endpoint, the private podman engine
 * as its Docker host), on a free loopback port, in a private folder. Its JSON log is read
 * line by line for anomaly onsets and resolutions.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify as stringifyYaml } from 'yaml';
import { freeLoopbackPort } from '../../test/support/ports.js';
import { answersOk } from '../../test/support/private-daemon.js';
import { waitUntilReady } from '../../test/support/processes.js';
import { type AnomalyLogEvent, parseAnomalyLine } from './agent-log.js';
import { onCleanup } from './cleanup.js';

export const CLI = join(import.meta.dirname, '../../../dist/cli.js');
export const SERVICE_TARGET = 'bench-service';

export interface AgentOptions {
  /** The agent's private folder: config, detector state, audit file. */
  dir: string;
  intervalSeconds: number;
  serviceUrl: string;
  /** `unix://...` of the container engine; container monitoring is off without it. */
  dockerHost?: string;
  /** Extra command-line flags for the agent (`--detection.x=y`). */
  extraArgs: string[];
}

const TAIL_LINES = 40;

export class AgentProcess {
  readonly url: string;
  readonly pid: number;
  readonly startedMs: number;
  readonly events: AnomalyLogEvent[] = [];
  /** Other warn/error lines by event name (e.g. collector_failed): how many, the first when. */
  readonly problems = new Map<string, { count: number; firstMs: number }>();
  readonly #tail: string[] = [];
  readonly #exited: Promise<number | null>;
  #running = true;
  #readyMs: number | undefined;

  private constructor(url: string, pid: number, exited: Promise<number | null>) {
    this.url = url;
    this.pid = pid;
    this.startedMs = Date.now();
    this.#exited = exited.then((code) => {
      this.#running = false;
      return code;
    });
  }

  static async start(options: AgentOptions): Promise<AgentProcess> {
    const port = await freeLoopbackPort();
    const config = {
      web: { listen_address: `127.0.0.1:${port}` },
      log: { level: 'info' },
      monitoring: {
        collection_interval: options.intervalSeconds,
        api_endpoints: [
          { url: `${options.serviceUrl}/healthz`, name: SERVICE_TARGET, timeout: '2s' },
        ],
        enable_container_monitoring: options.dockerHost !== undefined,
        ...(options.dockerHost ? { docker_host: options.dockerHost } : {}),
      },
      detection: { state_file: join(options.dir, 'detector-state.json') },
      recovery: { audit_file: join(options.dir, 'audit.jsonl') },
    };
    const configFile = join(options.dir, 'sentinel.yml');
    await writeFile(configFile, stringifyYaml(config));
    const child = spawn(
      process.execPath,
      [CLI, `--config.file=${configFile}`, ...options.extraArgs],
      { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
    if (child.pid === undefined) throw new Error(`could not start ${CLI}`);
    const agent = new AgentProcess(`http://127.0.0.1:${port}`, child.pid, exited);
    onCleanup(`agent (pid ${child.pid})`, () => agent.#stop(child.kill.bind(child)));
    createInterface({ input: child.stdout }).on('line', (line) => agent.#read(line));
    createInterface({ input: child.stderr }).on('line', (line) => agent.#remember(line));
    await waitUntilReady('the agent', () => answersOk(`${agent.url}/healthz`), {
      timeoutMs: 30_000,
      intervalMs: 200,
      daemon: {
        pid: child.pid,
        exited: agent.#exited.then(() => undefined),
        isRunning: () => agent.#running,
        output: () => agent.output(),
        stop: async () => undefined,
      },
    });
    return agent;
  }

  get running(): boolean {
    return this.#running;
  }

  /** The last lines the agent wrote, for error messages. */
  output(): string {
    return this.#tail.join('\n');
  }

  onsets(): AnomalyLogEvent[] {
    return this.events.filter((event) => event.kind === 'onset');
  }

  /**
   * Waits for the agent's `detector_ready` log line of the range test, the moment the
   * series tests start judging; resolves to it (Unix ms). Read from the log, not polled
   * over HTTP: requests that stop at readiness would change the loopback traffic the
   * agent judges from that moment on.
   */
  async waitForDetectorReady(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.#running) throw new Error(`the agent exited:\n${this.output()}`);
      if (this.#readyMs !== undefined) return this.#readyMs;
      await sleep(200);
    }
    throw new Error(`the detector was not ready within ${timeoutMs / 1000} s`);
  }

  #read(line: string): void {
    this.#remember(line);
    const event = parseAnomalyLine(line, Date.now());
    if (event) {
      this.events.push(event);
      return;
    }
    if (line.includes('"event":"detector_ready"') && line.includes('"detector":"range"'))
      this.#readyMs ??= Date.now();
    if (!line.includes('"level":"warn"') && !line.includes('"level":"error"')) return;
    try {
      const name = (JSON.parse(line) as { event?: unknown }).event;
      const key = typeof name === 'string' ? name : '(no event name)';
      const seen = this.problems.get(key);
      if (seen) seen.count += 1;
      else this.problems.set(key, { count: 1, firstMs: Date.now() });
    } catch {
      // Not JSON: kept in the tail only.
    }
  }

  #remember(line: string): void {
    this.#tail.push(line);
    if (this.#tail.length > TAIL_LINES) this.#tail.shift();
  }

  async #stop(kill: (signal: NodeJS.Signals) => boolean): Promise<void> {
    if (!this.#running) return;
    kill('SIGTERM');
    const gone = await Promise.race([this.#exited.then(() => true), sleep(10_000, false)]);
    if (!gone) {
      kill('SIGKILL');
      await this.#exited;
    }
  }
}
