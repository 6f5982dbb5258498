/**
 * The ordinary workload: a small HTTP service (which the agent probes) under a steady
 * trickle of requests from the bench, and cron-like jobs that every period burn a few
 * CPU seconds and write and fsync a small file. The service's latency can be stepped up
 * (the endpoint-latency fault).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { onCleanup } from './cleanup.js';
import { startLoad } from './children.js';

export interface WorkloadOptions {
  /** Folder for the cron jobs' files. */
  dir: string;
  cronPeriodSeconds: number;
  cronCpuSeconds: number;
  cronWriteBytes: number;
  requestsPerSecond: number;
}

export interface WorkloadStats {
  requests: number;
  failedRequests: number;
  cronRuns: number;
}

export class Workload {
  readonly url: string;
  readonly #options: WorkloadOptions;
  readonly #server: Server;
  /** Shared with the server's handler. */
  readonly #latency: { ms: number };
  #cronTimer: NodeJS.Timeout | undefined;
  #trickleTimer: NodeJS.Timeout | undefined;
  #lastCronStartMs = 0;
  #stats: WorkloadStats = { requests: 0, failedRequests: 0, cronRuns: 0 };
  #stopped = false;

  private constructor(
    options: WorkloadOptions,
    server: Server,
    url: string,
    latency: { ms: number },
  ) {
    this.#options = options;
    this.#latency = latency;
    this.#server = server;
    this.url = url;
  }

  static async start(options: WorkloadOptions): Promise<Workload> {
    const latency = { ms: 0 };
    const server = createServer((_req, res) => {
      const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      if (latency.ms > 0) setTimeout(answer, latency.ms);
      else answer();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const { port } = server.address() as AddressInfo;
    const workload = new Workload(options, server, `http://127.0.0.1:${port}`, latency);
    onCleanup('workload', () => workload.stop());
    workload.#begin();
    return workload;
  }

  /** The service answers after this many ms from now on. */
  setLatency(ms: number): void {
    this.#latency.ms = ms;
  }

  /** Milliseconds since the latest cron job started. */
  sinceCronMs(now = Date.now()): number {
    return now - this.#lastCronStartMs;
  }

  stats(): WorkloadStats {
    return { ...this.#stats };
  }

  #begin(): void {
    const { cronPeriodSeconds, requestsPerSecond } = this.#options;
    this.#runCron();
    this.#cronTimer = setInterval(() => this.#runCron(), cronPeriodSeconds * 1000);
    this.#trickleTimer = setInterval(() => void this.#request(), 1000 / requestsPerSecond);
  }

  #runCron(): void {
    if (this.#stopped) return;
    const { dir, cronCpuSeconds, cronWriteBytes } = this.#options;
    this.#lastCronStartMs = Date.now();
    this.#stats.cronRuns += 1;
    const file = join(dir, `cron-${this.#stats.cronRuns}.dat`);
    const load = startLoad('cron', [cronCpuSeconds, cronWriteBytes, file]);
    void load.daemon.exited.then(() => load.stop());
  }

  async #request(): Promise<void> {
    if (this.#stopped) return;
    this.#stats.requests += 1;
    try {
      const response = await fetch(`${this.url}/api/items`, { signal: AbortSignal.timeout(5_000) });
      await response.text();
      if (!response.ok) this.#stats.failedRequests += 1;
    } catch {
      this.#stats.failedRequests += 1;
    }
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#cronTimer);
    clearInterval(this.#trickleTimer);
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
