/**
 * The collection loop. Collectors do not wait for each other: the host collector, the
 * container collector and every probed endpoint each run on their own, and each
 * publishes its figures the moment it has them. Once per interval the loop ticks: it
 * starts the container collector (one wake-up serves both), reads the host, and
 * publishes one immutable snapshot of everything's latest figures to its listeners (the
 * detector and the healer). /metrics renders `latest`, which also carries figures that
 * arrived between ticks, so /proc is read once per interval however many scrapes arrive.
 *
 * A slow part delays only itself: a hung endpoint shows in its own probe series at its
 * timeout, a hung container engine in `aegis_container_engine_up` and the containers
 * collector's status, and the tick goes on with their previous figures. Probes are
 * spread across the interval instead of firing at once, so that their timings measure
 * the endpoints rather than the agent's own queue. A collector that throws is reported
 * in the snapshot's `collectors` list and never stops the others.
 */
import { setMaxListeners } from 'node:events';
import type { EndpointConfig } from '../config/monitoring.js';
import type { Logger } from '../logger.js';
import type { ContainerCollector } from './container-collector.js';
import type { EndpointCollector } from './endpoint-collector.js';
import type { HostCollector } from './host/host-collector.js';
import { PeriodicTask } from './periodic-task.js';
import type {
  CollectorName,
  CollectorStatus,
  ContainersSnapshot,
  HostSnapshot,
  ProbeResult,
  Snapshot,
} from './snapshot.js';

export interface Collectors {
  host?: Pick<HostCollector, 'collect'>;
  endpoints?: Pick<EndpointCollector, 'endpoints' | 'probe'>;
  containers?: Pick<ContainerCollector, 'collect'>;
}

export type SnapshotListener = (snapshot: Snapshot) => void;

export interface CollectionLoopOptions {
  collectors: Collectors;
  /** Seconds between two ticks, and between two runs of each collector and probe. */
  intervalSeconds: number;
  logger: Logger;
}

/** One probe target: its endpoint, its latest result and its probe in flight, if any. */
interface ProbeTarget {
  endpoint: EndpointConfig;
  last?: ProbeResult;
  running?: Promise<void>;
}

/** One collector's latest figures and the run in flight, if any. */
interface Part<T> {
  value?: T;
  status?: CollectorStatus;
  running?: Promise<void>;
  /** performance.now() when the run in flight started. */
  runningSince: number;
}

const UNREACHABLE_ENGINE: ContainersSnapshot = Object.freeze({
  engine_up: false,
  containers: [],
});

/** What ends the probes in flight when the loop stops; each probe listens to it while it runs. */
function stopSignal(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

export class CollectionLoop {
  readonly #collectors: Collectors;
  readonly #intervalMs: number;
  readonly #logger: Logger;
  readonly #listeners: SnapshotListener[] = [];
  readonly #host: Part<HostSnapshot> = { runningSince: 0 };
  readonly #containers: Part<ContainersSnapshot> = { runningSince: 0 };
  readonly #targets: ProbeTarget[];
  readonly #tasks: PeriodicTask[] = [];
  #stopping = stopSignal();
  #running = false;
  /** When the last published tick read the host, Unix milliseconds. */
  #tickMs = 0;
  #latest: Snapshot | undefined;
  #stale = false;

  constructor(options: CollectionLoopOptions) {
    this.#collectors = options.collectors;
    this.#intervalMs = options.intervalSeconds * 1000;
    this.#logger = options.logger;
    this.#targets = (options.collectors.endpoints?.endpoints ?? []).map((endpoint) => ({
      endpoint,
    }));
  }

  /** Everything's latest figures, or undefined before the first tick. */
  get latest(): Snapshot | undefined {
    if (this.#stale && this.#tickMs > 0) {
      this.#latest = this.#compose();
      this.#stale = false;
    }
    return this.#latest;
  }

  /** Called with every tick's snapshot, right after it is published. */
  onSnapshot(listener: SnapshotListener): void {
    this.#listeners.push(listener);
  }

  /**
   * Starts every schedule and awaits the first tick (so /metrics has host figures from
   * the start); containers and probes report when they have answers.
   */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = stopSignal();
    const targets = this.#targets.length;
    for (const [index, target] of this.#targets.entries()) {
      // Target i probes at i/N of the interval: a steady trickle, not a burst per tick.
      this.#every(() => void this.#runProbe(target), (index / targets) * this.#intervalMs);
    }
    const first = Date.now();
    void this.#runContainers();
    await this.#runHost();
    this.#publish(first);
    this.#every(() => this.#tick(), this.#intervalMs);
  }

  /** Stops every schedule, ends probes in flight and waits for the runs in flight. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const task of this.#tasks.splice(0)) task.stop();
    this.#stopping.abort();
    await Promise.all([
      this.#host.running,
      this.#containers.running,
      ...this.#targets.map((target) => target.running),
    ]);
  }

  /**
   * Runs every collector and probe once now (joining runs in flight), waits for all of
   * them and publishes the snapshot: for tests and embedding programs.
   */
  async collectOnce(): Promise<Snapshot> {
    const timestamp = Date.now();
    await Promise.all([
      this.#runHost(),
      this.#runContainers(),
      ...this.#targets.map((target) => this.#runProbe(target)),
    ]);
    return this.#publish(timestamp);
  }

  #every(run: () => void, phaseMs: number): void {
    const task = new PeriodicTask(run, this.#intervalMs, phaseMs);
    this.#tasks.push(task);
    task.start();
  }

  #tick(): void {
    const timestamp = Date.now();
    // Started by the tick, so that one wake-up serves both, but never awaited by it.
    void this.#runContainers();
    // A host read still going since the last tick (a hung filesystem) does not hold
    // the tick: it publishes the previous host figures, and the status says why.
    if (this.#host.running) this.#publish(timestamp);
    else void this.#runHost().then(() => this.#publish(timestamp));
  }

  #runHost(): Promise<void> {
    const { host } = this.#collectors;
    if (!host) return Promise.resolve();
    return this.#run('host', this.#host, () => host.collect(), undefined);
  }

  #runContainers(): Promise<void> {
    const { containers } = this.#collectors;
    if (!containers) return Promise.resolve();
    return this.#run(
      'containers',
      this.#containers,
      () => containers.collect(),
      UNREACHABLE_ENGINE,
    );
  }

  /** Probes a target unless its probe is in flight, in which case it joins that one. */
  #runProbe(target: ProbeTarget): Promise<void> {
    const { endpoints } = this.#collectors;
    if (!endpoints) return Promise.resolve();
    target.running ??= endpoints
      .probe(target.endpoint, this.#stopping.signal)
      .then((result) => {
        target.last = result;
        this.#stale = true;
      })
      .finally(() => {
        target.running = undefined;
      });
    return target.running;
  }

  /** Runs a collector unless it is running already, in which case it joins that run. */
  #run<T>(
    name: CollectorName,
    part: Part<T>,
    collect: () => Promise<T>,
    fallback: T | undefined,
  ): Promise<void> {
    part.running ??= (async () => {
      part.runningSince = performance.now();
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
        duration_seconds: (performance.now() - part.runningSince) / 1000,
      };
      if (error !== undefined) status.error = error;
      this.#logTransition(part.status, status);
      part.status = status;
      part.value = value ?? fallback;
      this.#stale = true;
    })().finally(() => {
      part.running = undefined;
    });
    return part.running;
  }

  /** Publishes a tick's snapshot to /metrics and the listeners, unless a later tick did. */
  #publish(timestamp: number): Snapshot {
    if (timestamp >= this.#tickMs) {
      this.#tickMs = timestamp;
      this.#stale = true;
    }
    const snapshot = this.latest!;
    if (snapshot.timestamp_ms !== timestamp) return snapshot;
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

  #compose(): Snapshot {
    const { host, endpoints, containers } = this.#collectors;
    const probes = this.#targets.flatMap((target) => (target.last ? [target.last] : []));
    const collectors: CollectorStatus[] = [];
    const hostStatus = host && this.#status('host', this.#host);
    if (hostStatus) collectors.push(hostStatus);
    if (endpoints) {
      // Each target has its own series; the collector's duration is its slowest.
      const slowest = Math.max(0, ...probes.map((probe) => probe.duration_seconds));
      collectors.push({ name: 'endpoints', success: true, duration_seconds: slowest });
    }
    const containerStatus = containers && this.#status('containers', this.#containers);
    if (containerStatus) collectors.push(containerStatus);
    const snapshot: Snapshot = { timestamp_ms: this.#tickMs, collectors };
    if (this.#host.value) snapshot.host = this.#host.value;
    if (endpoints) snapshot.probes = probes;
    if (containerStatus) snapshot.containers = this.#containers.value ?? UNREACHABLE_ENGINE;
    return Object.freeze(snapshot);
  }

  /**
   * The last run's status, undefined before the first run ends; a run in flight for
   * longer than an interval is a failure.
   */
  #status<T>(name: CollectorName, part: Part<T>): CollectorStatus | undefined {
    if (part.running) {
      const seconds = (performance.now() - part.runningSince) / 1000;
      if (seconds * 1000 > this.#intervalMs)
        return {
          name,
          success: false,
          duration_seconds: seconds,
          error: `no answer after ${seconds.toFixed(1)}s`,
        };
    }
    return part.status;
  }

  #logTransition(before: CollectorStatus | undefined, status: CollectorStatus): void {
    if (!status.success && before?.success !== false) {
      this.#logger.warn(
        { event: 'collector_failed', collector: status.name, error: status.error },
        'collector failed',
      );
    } else if (status.success && before?.success === false) {
      this.#logger.info(
        { event: 'collector_recovered', collector: status.name },
        'collector recovered',
      );
    }
  }
}
