/** Endpoint probe metrics, named after blackbox_exporter's with the `aegis_` prefix. */
import type { Registry } from 'prom-client';
import { snapshotGauge, type SnapshotSource } from './snapshot-metric.js';

export function registerProbeMetrics(registry: Registry, source: SnapshotSource): void {
  snapshotGauge(registry, source, {
    name: 'aegis_probe_success',
    help: 'Whether the last probe of the endpoint succeeded (1) or not (0).',
    labelNames: ['target'],
    read: (s) => (s.probes ?? []).map((p) => [{ target: p.target }, p.success ? 1 : 0] as const),
  });
  snapshotGauge(registry, source, {
    name: 'aegis_probe_duration_seconds',
    help: 'How long the last probe of the endpoint took, up to its timeout.',
    labelNames: ['target'],
    read: (s) => (s.probes ?? []).map((p) => [{ target: p.target }, p.duration_seconds] as const),
  });
  snapshotGauge(registry, source, {
    name: 'aegis_probe_http_status_code',
    help: 'HTTP status code of the last probe of the endpoint, 0 when no response arrived.',
    labelNames: ['target'],
    read: (s) => (s.probes ?? []).map((p) => [{ target: p.target }, p.status_code] as const),
  });
}
