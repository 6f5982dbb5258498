/** Per-collector health, as node_exporter's node_scrape_collector_* report it. */
import type { Registry } from 'prom-client';
import { snapshotGauge, type SnapshotSource } from './snapshot-metric.js';

export function registerCollectorMetrics(registry: Registry, source: SnapshotSource): void {
  snapshotGauge(registry, source, {
    name: 'aegis_collector_duration_seconds',
    help: 'How long the collector took in the last collection round.',
    labelNames: ['collector'],
    read: (s) => s.collectors.map((c) => [{ collector: c.name }, c.duration_seconds] as const),
  });
  snapshotGauge(registry, source, {
    name: 'aegis_collector_success',
    help: 'Whether the collector succeeded in the last collection round (1) or not (0).',
    labelNames: ['collector'],
    read: (s) => s.collectors.map((c) => [{ collector: c.name }, c.success ? 1 : 0] as const),
  });
  snapshotGauge(registry, source, {
    name: 'aegis_last_collection_timestamp_seconds',
    help: 'When the last collection round started, in unixtime.',
    labelNames: [],
    read: (s) => [[{}, s.timestamp_ms / 1000]],
  });
}
