/**
 * Container metrics, named after cAdvisor's (`container_*`, label `name`) with the
 * `aegis_` prefix. State and health are enums in the kube-state-metrics style: one
 * series per possible value, 1 for the current one, so alert rules match on a label.
 */
import type { Registry } from 'prom-client';
import { CONTAINER_HEALTH, CONTAINER_STATES, type Snapshot } from '../collect/snapshot.js';
import { single, snapshotCounter, snapshotGauge, type SnapshotSource } from './snapshot-metric.js';

export function registerContainerMetrics(registry: Registry, source: SnapshotSource): void {
  const containers = (s: Snapshot) => s.containers?.containers ?? [];
  snapshotGauge(registry, source, {
    name: 'aegis_container_engine_up',
    help: 'Whether the Docker API answered the last collection (1) or not (0).',
    labelNames: [],
    read: (s) => single(s.containers ? (s.containers.engine_up ? 1 : 0) : undefined),
  });
  snapshotGauge(registry, source, {
    name: 'aegis_container_info',
    help: 'Container metadata; always 1.',
    labelNames: ['name', 'id', 'image'],
    read: (s) =>
      containers(s).map(
        (c) => [{ name: c.name, id: c.id.slice(0, 12), image: c.image }, 1] as const,
      ),
  });
  snapshotGauge(registry, source, {
    name: 'aegis_container_state',
    help: 'Container state: 1 for the current state, 0 for the others.',
    labelNames: ['name', 'state'],
    read: (s) =>
      containers(s).flatMap((c) =>
        CONTAINER_STATES.map(
          (state) => [{ name: c.name, state }, c.state === state ? 1 : 0] as const,
        ),
      ),
  });
  snapshotGauge(registry, source, {
    name: 'aegis_container_health_status',
    help: 'Container healthcheck status: 1 for the current status, 0 for the others; "none" without a healthcheck.',
    labelNames: ['name', 'status'],
    read: (s) =>
      containers(s).flatMap((c) =>
        CONTAINER_HEALTH.map(
          (status) => [{ name: c.name, status }, c.health === status ? 1 : 0] as const,
        ),
      ),
  });
  snapshotCounter(registry, source, {
    name: 'aegis_container_restarts_total',
    help: 'Times the engine restarted the container (its RestartCount).',
    labelNames: ['name'],
    read: (s) => containers(s).map((c) => [{ name: c.name }, c.restart_count] as const),
  });
  snapshotGauge(registry, source, {
    name: 'aegis_container_start_time_seconds',
    help: 'Start time of the container, in unixtime; 0 if it never started.',
    labelNames: ['name'],
    read: (s) => containers(s).map((c) => [{ name: c.name }, c.started_at_seconds] as const),
  });
  snapshotCounter(registry, source, {
    name: 'aegis_container_cpu_usage_seconds_total',
    help: 'Cumulative CPU time consumed by the running container.',
    labelNames: ['name'],
    read: (s) =>
      containers(s).flatMap((c) =>
        c.cpu_seconds === undefined ? [] : [[{ name: c.name }, c.cpu_seconds] as const],
      ),
  });
  snapshotGauge(registry, source, {
    name: 'aegis_container_memory_usage_bytes',
    help: 'Memory used by the running container, in bytes.',
    labelNames: ['name'],
    read: (s) =>
      containers(s).flatMap((c) =>
        c.memory_bytes === undefined ? [] : [[{ name: c.name }, c.memory_bytes] as const],
      ),
  });
}
