/**
 * The collection loop: every interval, run the enabled collectors concurrently, time
 * each, and publish one immutable snapshot. /metrics renders the latest snapshot and
 * the detector and healer are handed the same object, so /proc is read once per
 * interval however many scrapes arrive. A collector that throws is reported in the
 * snapshot's `collectors` list and never fails the round.
 */
import type { Logger } from '../logger.js';
import type { ContainerCollector } from './container-collector.js';
import type { EndpointCollector } from './endpoint-collector.js';
import type { HostCollector } from './host/host-collector.js';
import type { CollectorName, CollectorStatus, Snapshot } from './snapshot.js';

export interface Collectors {
  host?: Pick<HostCollector, 'collect'>;
  endpoints?: Pick<EndpointCollector, 'collect'>;
  containers?: Pick<ContainerCollector, 'collect'>;
}

export type SnapshotListener = (snapshot: Snapshot) => void;

export interface CollectionLoopOptions {
  collectors: Collectors;
  /** Seconds between the starts of two rounds. */
  intervalSeconds: number;
  logger: Logger;
}

export class CollectionLoop {
  readonly #collectors: Collectors;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #listeners: SnapshotListener[] = [];
  #latest: Snapshot | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #inFlight: Promise<Snapshot> | undefined;

  constructor(options: CollectionLoopOptions) {
    this.#collectors = options.collectors;
    this.#intervalMs = options.intervalSeconds * 1000;
    this.#logger = options.logger;
  }

  /** The last published snapshot, or undefined before the first round ends. */
  get latest(): Snapshot | undefined {
    return this.#latest;
  }

  /** Called with every snapshot, right after it is published. */
  onSnapshot(listener: SnapshotListener): void {
    this.#listeners.push(listener);
  }

  /** Runs a first round now (awaited, so /metrics has data from the start), then one per interval. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const first = Date.now();
    await this.collectOnce();
    this.#schedule(first);
  }

  /** Stops scheduling and waits for a round in flight to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /** Runs one round and publishes its snapshot. Rounds never overlap: a second call joins the first. */
  collectOnce(): Promise<Snapshot> {
    this.#inFlight ??= this.#round().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  #schedule(previousStart: number): void {
    if (!this.#running) return;
    // Keep a fixed cadence; a round that overran skips the slots it missed.
    const now = Date.now();
    let next = previousStart + this.#intervalMs;
    if (next <= now) next = now + this.#intervalMs - ((now - previousStart) % this.#intervalMs);
    this.#timer = setTimeout(() => {
      void this.collectOnce().then(() => this.#schedule(next));
    }, next - now);
    this.#timer.unref();
  }

  async #round(): Promise<Snapshot> {
    const timestamp_ms = Date.now();
    const { host, endpoints, containers } = this.#collectors;
    const [hostRun, endpointRun, containerRun] = await Promise.all([
      host && this.#run('host', () => host.collect()),
      endpoints && this.#run('endpoints', () => endpoints.collect()),
      containers && this.#run('containers', () => containers.collect()),
    ]);
    const snapshot: Snapshot = {
      timestamp_ms,
      collectors: [hostRun, endpointRun, containerRun].flatMap((run) => (run ? [run.status] : [])),
    };
    if (hostRun?.value) snapshot.host = hostRun.value;
    if (endpointRun) snapshot.probes = endpointRun.value ?? [];
    if (containerRun)
      snapshot.containers = containerRun.value ?? { engine_up: false, containers: [] };
    Object.freeze(snapshot);
    this.#latest = snapshot;
    for (const listener of this.#listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.#logger.error(
          { event: 'snapshot_listener_failed', err: error },
          'a snapshot consumer threw',
        );
      }
    }
    return snapshot;
  }

  async #run<T>(
    name: CollectorName,
    collect: () => Promise<T>,
  ): Promise<{ value: T | undefined; status: CollectorStatus }> {
    const started = performance.now();
    let value: T | undefined;
    let error: string | undefined;
    try {
      value = await collect();
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    const status: CollectorStatus = {
      name,
      success: error === undefined,
      duration_seconds: (performance.now() - started) / 1000,
    };
    if (error !== undefined) status.error = error;
    this.#logTransition(status);
    return { value, status };
  }

  #logTransition(status: CollectorStatus): void {
    // Rounds never overlap, so the published snapshot is the previous round's.
    const before = this.#latest?.collectors.find(({ name }) => name === status.name)?.success;
    if (!status.success && before !== false) {
      this.#logger.warn(
        { event: 'collector_failed', collector: status.name, error: status.error },
        'collector failed',
      );
    } else if (status.success && before === false) {
      this.#logger.info(
        { event: 'collector_recovered', collector: status.name },
        'collector recovered',
      );
    }
  }
}
