/**
 * The local loop: without Prometheus, the agent's own signals become alerts named and
 * labelled like the shipped Prometheus rules, so one policy serves both.
 *
 * - AegisContainerExited {container}: a container in state exited or dead;
 * - AegisContainerUnhealthy {container}: a container whose healthcheck says unhealthy;
 * - AegisEndpointDown {target}: a probe failed in `endpointDownRounds` consecutive rounds;
 * - AegisAnomalyDetected {series, <source labels>}: from a series' anomaly onset until
 *   its resolved event, labelled like aegis_anomalous (`series="filesystem_used_ratio",
 *   mountpoint="/"`). The host composite (series="host") raises none, as in Prometheus.
 *
 * Each carries severity, job="aegis-sentinel" and source="local", and Alertmanager's
 * fingerprint of that label set. An alert resolves when its signal clears; a signal the
 * round could not read (engine down, collector off) neither fires nor resolves anything.
 */
import type { Snapshot } from '../collect/snapshot.js';
import type { AnomalyEvent } from '../detect/anomaly-event.js';
import { HOST_SERIES, seriesLabels } from '../detect/series-id.js';
import { fingerprint } from './receive/fingerprint.js';
import type { HealAlert } from './policy/planner.js';

export interface LocalAlertsOptions {
  endpointDownRounds: number;
  /** A still-firing alert is handed out again after this long. */
  repeatIntervalMs: number;
}

interface Active {
  alert: HealAlert;
  lastSentMs: number;
}

type Kind = 'container' | 'endpoint' | 'anomaly';

const KIND_OF: Record<string, Kind> = {
  AegisContainerExited: 'container',
  AegisContainerUnhealthy: 'container',
  AegisEndpointDown: 'endpoint',
  AegisAnomalyDetected: 'anomaly',
};

function labelSet(
  alertname: string,
  labels: Record<string, string>,
  severity: string,
): Record<string, string> {
  return { alertname, ...labels, severity, job: 'aegis-sentinel', source: 'local' };
}

export class LocalAlerts {
  readonly #options: LocalAlertsOptions;
  readonly #active = new Map<string, Active>();
  readonly #probeFailures = new Map<string, number>();

  constructor(options: LocalAlertsOptions) {
    this.#options = options;
  }

  /**
   * Reads one round's signals. Returns what to hand to the healer: alerts that started
   * firing, alerts that resolved, and firing alerts due for a repeat.
   */
  observe(snapshot: Snapshot, events: readonly AnomalyEvent[], nowMs: number): HealAlert[] {
    const startsAt = new Date(snapshot.timestamp_ms).toISOString();
    // Label sets firing this round, by kind; a kind left out was not observed this round.
    const firing = new Map<Kind, Record<string, string>[]>();

    const containers = snapshot.containers;
    if (containers?.engine_up) {
      const sets: Record<string, string>[] = [];
      for (const container of containers.containers) {
        if (container.state === 'exited' || container.state === 'dead') {
          sets.push(labelSet('AegisContainerExited', { container: container.name }, 'critical'));
        }
        if (container.health === 'unhealthy') {
          sets.push(labelSet('AegisContainerUnhealthy', { container: container.name }, 'critical'));
        }
      }
      firing.set('container', sets);
    }

    if (snapshot.probes) {
      const sets: Record<string, string>[] = [];
      const seen = new Set<string>();
      for (const probe of snapshot.probes) {
        seen.add(probe.target);
        const failures = probe.success ? 0 : (this.#probeFailures.get(probe.target) ?? 0) + 1;
        this.#probeFailures.set(probe.target, failures);
        if (failures >= this.#options.endpointDownRounds) {
          sets.push(labelSet('AegisEndpointDown', { target: probe.target }, 'critical'));
        }
      }
      for (const target of this.#probeFailures.keys())
        if (!seen.has(target)) this.#probeFailures.delete(target);
      firing.set('endpoint', sets);
    }

    const out: HealAlert[] = [];
    const desired = new Map<string, { labels: Record<string, string>; startsAt: string }>();
    for (const sets of firing.values()) {
      for (const labels of sets) desired.set(fingerprint(labels), { labels, startsAt });
    }
    // Anomalies are edges, not levels: an onset fires until its resolved event.
    const anomalyEnds = new Set<string>();
    for (const event of events) {
      if (event.series.name === HOST_SERIES.name) continue;
      const labels = labelSet('AegisAnomalyDetected', seriesLabels(event.series), 'warning');
      const key = fingerprint(labels);
      if (event.kind === 'onset') {
        anomalyEnds.delete(key);
        if (!this.#active.has(key))
          desired.set(key, { labels, startsAt: new Date(event.timestamp_ms).toISOString() });
      } else {
        desired.delete(key);
        anomalyEnds.add(key);
      }
    }

    for (const [key, active] of this.#active) {
      const kind = KIND_OF[active.alert.labels.alertname ?? ''] ?? 'anomaly';
      const observed = kind === 'anomaly' ? anomalyEnds.has(key) : firing.has(kind);
      if (desired.has(key) || !observed) {
        desired.delete(key);
        if (nowMs - active.lastSentMs >= this.#options.repeatIntervalMs) {
          active.lastSentMs = nowMs;
          out.push(active.alert);
        }
        continue;
      }
      this.#active.delete(key);
      out.push({ ...active.alert, status: 'resolved' });
    }
    for (const [key, { labels, startsAt: start }] of desired) {
      const alert: HealAlert = {
        status: 'firing',
        labels,
        startsAt: start,
        fingerprint: key,
        source: 'local',
      };
      this.#active.set(key, { alert, lastSentMs: nowMs });
      out.push(alert);
    }
    return out;
  }

  /** Alerts the healer could not take (state store down) are handed out again next round. */
  unsent(alerts: readonly HealAlert[]): void {
    for (const alert of alerts) {
      const active = this.#active.get(alert.fingerprint);
      if (alert.status === 'firing' && active) active.lastSentMs = Number.NEGATIVE_INFINITY;
    }
  }
}
