/**
 * Derives the series the detectors judge from the snapshot stream. Counters become
 * rates against the previous snapshot; a negative delta is a counter reset (a wrap, a
 * reboot, a recreated device) and yields no sample that round rather than a huge
 * negative rate. A series whose source is still listed stays "present" even when it
 * has no sample this round, so a reset does not make it vanish from /metrics. Each
 * series is a SeriesId (a name and its source's labels), keyed by its packed key.
 *
 * Two series are judged differently from a plain per-round rate, so that one event
 * raises one clear signal:
 * - A filesystem is judged once, at its shortest mount point: bind mounts of one device
 *   (`/` and `/run/netns`, say) hold the same figures and would alarm together.
 * - A container's restarts are a rate over the last minute, as `rate(...[1m])` is: a
 *   restart is a one-round event, and a one-round rise is what the detector is built to
 *   treat as a blip; over a minute, a crash loop is a level that holds.
 */
import type { FilesystemStats, Snapshot } from '../collect/snapshot.js';
import { type SeriesId, seriesKey } from './series-id.js';

/** The window of `container_restarts_rate`, as in `rate(restarts[1m])`. */
const RESTART_WINDOW_MS = 60_000;

export interface ExtractedSeries {
  /** Finite values of this round, by series key. */
  values: Map<string, number>;
  /** Every series whose source exists this round, with or without a value, by key. */
  present: Map<string, SeriesId>;
}

interface Counter {
  id: SeriesId;
  value: number | undefined;
}

/** The counters of a snapshot, by series name, that become rates. */
function counters(snapshot: Snapshot): Counter[] {
  const out: Counter[] = [];
  for (const net of snapshot.host?.network ?? []) {
    const labels = { device: net.device };
    out.push({ id: { name: 'network_receive_bytes_rate', labels }, value: net.receive_bytes });
    out.push({ id: { name: 'network_transmit_bytes_rate', labels }, value: net.transmit_bytes });
  }
  for (const disk of snapshot.host?.disks ?? []) {
    const labels = { device: disk.device };
    out.push({ id: { name: 'disk_read_bytes_rate', labels }, value: disk.read_bytes });
    out.push({ id: { name: 'disk_written_bytes_rate', labels }, value: disk.written_bytes });
  }
  for (const c of snapshot.containers?.containers ?? []) {
    const labels = { container: c.name };
    if (c.state === 'running')
      out.push({ id: { name: 'container_cpu_rate', labels }, value: c.cpu_seconds });
  }
  return out;
}

/** One counter increase and when it was seen. */
interface Increase {
  atMs: number;
  delta: number;
}

/** CPU seconds summed over all CPUs: busy (everything but idle and iowait) and total. */
function cpuSeconds(snapshot: Snapshot): { busy: number; total: number } | undefined {
  const cpus = snapshot.host?.cpus;
  if (!cpus || cpus.length === 0) return undefined;
  let busy = 0;
  let total = 0;
  for (const { seconds } of cpus) {
    const all = Object.values(seconds).reduce((a, b) => a + b, 0);
    total += all;
    busy += all - seconds.idle - seconds.iowait;
  }
  return { busy, total };
}

export class FeatureExtractor {
  /** What the previous round's rates start from: its time, CPU seconds and counters. */
  #previous:
    | {
        timestampMs: number;
        cpu: { busy: number; total: number } | undefined;
        counters: Map<string, number | undefined>;
      }
    | undefined;

  /** Each container's last restart count and its increases within the window. */
  readonly #restarts = new Map<string, { count: number; increases: Increase[] }>();

  extract(snapshot: Snapshot): ExtractedSeries {
    const values = new Map<string, number>();
    const present = new Map<string, SeriesId>();
    const set = (id: SeriesId, value: number | undefined): void => {
      const key = seriesKey(id);
      present.set(key, id);
      if (value !== undefined && Number.isFinite(value)) values.set(key, value);
    };
    const plain = (name: string): SeriesId => ({ name, labels: {} });
    const previous = this.#previous;
    const host = snapshot.host;
    const now = cpuSeconds(snapshot);
    if (host) {
      const before = previous?.cpu;
      if (now) {
        const dTotal = before ? now.total - before.total : 0;
        const dBusy = before ? now.busy - before.busy : 0;
        set(
          plain('cpu_utilisation'),
          dTotal > 0 && dBusy >= 0 ? Math.min(1, dBusy / dTotal) : undefined,
        );
      }
      if (host.memory.total_bytes > 0)
        set(plain('memory_used_ratio'), 1 - host.memory.available_bytes / host.memory.total_bytes);
      for (const fs of filesystemsByDevice(host.filesystems ?? [])) {
        set(
          { name: 'filesystem_used_ratio', labels: { mountpoint: fs.mountpoint } },
          fs.size_bytes > 0 ? 1 - fs.avail_bytes / fs.size_bytes : undefined,
        );
      }
    }
    for (const probe of snapshot.probes ?? []) {
      const labels = { target: probe.target };
      set({ name: 'probe_duration_seconds', labels }, probe.duration_seconds);
      set({ name: 'probe_success', labels }, probe.success ? 1 : 0);
    }
    for (const c of snapshot.containers?.containers ?? []) {
      if (c.state === 'running')
        set({ name: 'container_memory_bytes', labels: { container: c.name } }, c.memory_bytes);
      // Listed whatever its state: a crash loop shows as restarts, even when every round
      // happens to catch the container running.
      set(
        { name: 'container_restarts_rate', labels: { container: c.name } },
        this.#restartRate(c.name, c.restart_count, snapshot.timestamp_ms),
      );
    }
    const listed = new Set((snapshot.containers?.containers ?? []).map((c) => c.name));
    for (const name of this.#restarts.keys()) if (!listed.has(name)) this.#restarts.delete(name);
    const dt = previous ? (snapshot.timestamp_ms - previous.timestampMs) / 1000 : 0;
    const current = counters(snapshot);
    for (const counter of current) {
      const key = seriesKey(counter.id);
      const last = previous?.counters.get(key);
      const delta =
        counter.value !== undefined && last !== undefined ? counter.value - last : Number.NaN;
      // delta < 0 is a reset: no sample this round, the next round rates from the new base.
      set(counter.id, dt > 0 && delta >= 0 ? delta / dt : undefined);
    }
    this.#previous = {
      timestampMs: snapshot.timestamp_ms,
      cpu: now,
      counters: new Map(current.map((counter) => [seriesKey(counter.id), counter.value])),
    };
    return { values, present };
  }

  /**
   * Restarts per second over the last minute (or over the round, when rounds are
   * longer). A count that went down is a recreated container: no sample this round, and
   * the window starts again from the new count.
   */
  #restartRate(container: string, count: number, nowMs: number): number | undefined {
    const previous = this.#restarts.get(container);
    if (!previous || count < previous.count) {
      this.#restarts.set(container, { count, increases: [] });
      return previous ? undefined : 0;
    }
    const { increases } = previous;
    if (count > previous.count) increases.push({ atMs: nowMs, delta: count - previous.count });
    previous.count = count;
    const roundMs = nowMs - (this.#previous?.timestampMs ?? nowMs);
    const windowMs = Math.max(RESTART_WINDOW_MS, roundMs);
    while (increases.length > 0 && (increases[0] as Increase).atMs <= nowMs - windowMs)
      increases.shift();
    let total = 0;
    for (const { delta } of increases) total += delta;
    return total / (windowMs / 1000);
  }
}

/** One filesystem per device, at its shortest mount point (then the first by name). */
function filesystemsByDevice(filesystems: readonly FilesystemStats[]): FilesystemStats[] {
  const byDevice = new Map<string, FilesystemStats>();
  for (const fs of filesystems) {
    const kept = byDevice.get(fs.device);
    const shorter =
      !kept ||
      fs.mountpoint.length < kept.mountpoint.length ||
      (fs.mountpoint.length === kept.mountpoint.length && fs.mountpoint < kept.mountpoint);
    if (shorter) byDevice.set(fs.device, fs);
  }
  return [...byDevice.values()];
}
