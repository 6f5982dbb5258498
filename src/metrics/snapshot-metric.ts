/**
 * Metrics whose values are read from the latest snapshot at scrape time. Each scrape
 * resets the metric and refills it from the snapshot, so a series that is gone from
 * the snapshot (a removed container, an unmounted filesystem) is gone from /metrics,
 * and two concurrent scrapes cannot interleave: the refill is synchronous.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Snapshot } from '../collect/snapshot.js';

export type SnapshotSource = () => Snapshot | undefined;
export type Labels<L extends string> = Record<L, string>;
/** Yields [labels, value] pairs for one metric from a snapshot. */
export type SampleReader<L extends string> = (
  snapshot: Snapshot,
) => Iterable<readonly [Labels<L>, number]>;

export interface SnapshotMetricDefinition<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  read: SampleReader<L>;
}

export function snapshotGauge<L extends string>(
  registry: Registry,
  source: SnapshotSource,
  definition: SnapshotMetricDefinition<L>,
): Gauge<L> {
  return new Gauge<L>({
    ...options(registry, definition),
    collect() {
      refill(this, source, definition, (labels, value) => this.set(labels, value));
    },
  });
}

/** A counter whose total is read from a cumulative source (/proc counters, Docker stats). */
export function snapshotCounter<L extends string>(
  registry: Registry,
  source: SnapshotSource,
  definition: SnapshotMetricDefinition<L>,
): Counter<L> {
  return new Counter<L>({
    ...options(registry, definition),
    collect() {
      refill(this, source, definition, (labels, value) => {
        if (value >= 0) this.inc(labels, value);
      });
    },
  });
}

function options<L extends string>(registry: Registry, definition: SnapshotMetricDefinition<L>) {
  const { name, help, labelNames } = definition;
  return { name, help, labelNames, registers: [registry] };
}

/**
 * Empties the metric, then writes the snapshot's finite samples. prom-client's reset()
 * leaves an unlabelled metric at 0, which would export a made-up
 * `aegis_node_memory_total_bytes 0` while the host collector is failing; removing the
 * empty label set leaves no sample at all instead.
 */
function refill<L extends string>(
  metric: { reset(): void; remove(): void },
  source: SnapshotSource,
  definition: SnapshotMetricDefinition<L>,
  write: (labels: Labels<L>, value: number) => void,
): void {
  metric.reset();
  if (definition.labelNames.length === 0) metric.remove();
  const snapshot = source();
  if (!snapshot) return;
  for (const [labels, value] of definition.read(snapshot)) {
    if (Number.isFinite(value)) write(labels, value);
  }
}

/** A sample with no labels. */
export function single(value: number | undefined): Iterable<readonly [Labels<never>, number]> {
  return value === undefined ? [] : [[{} as Labels<never>, value]];
}
