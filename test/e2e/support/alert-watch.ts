// Alerts come and go within seconds at 1 s intervals: a scenario watches Prometheus and
// Alertmanager throughout an episode and asserts on everything they showed.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Stack } from './stack.js';

export interface Sightings {
  /** Alert names Prometheus reported pending or firing. */
  active: Set<string>;
  /** Alert names Prometheus reported firing. */
  firing: Set<string>;
  /** Alert name -> receivers Alertmanager routed it to. */
  routed: Map<string, string[]>;
  /** Alert name -> Alertmanager fingerprint. */
  fingerprints: Map<string, string>;
}

/** Polls both every 200 ms until `stop`, keeping the alerts whose labels `about` accepts. */
export function watchAlerts(
  stack: Stack,
  about: (labels: Record<string, string>) => boolean,
): { sightings: Sightings; stop: () => Promise<void> } {
  const sightings: Sightings = {
    active: new Set(),
    firing: new Set(),
    routed: new Map(),
    fingerprints: new Map(),
  };
  let running = true;
  const poll = async (): Promise<void> => {
    const [promAlerts, amAlerts] = await Promise.all([
      stack.prometheus.alerts(),
      stack.alertmanager.alerts(),
    ]);
    for (const alert of promAlerts) {
      if (!about(alert.labels)) continue;
      sightings.active.add(alert.labels.alertname as string);
      if (alert.state === 'firing') sightings.firing.add(alert.labels.alertname as string);
    }
    for (const alert of amAlerts) {
      if (!about(alert.labels)) continue;
      const alertname = alert.labels.alertname as string;
      sightings.routed.set(
        alertname,
        alert.receivers.map((receiver) => receiver.name),
      );
      sightings.fingerprints.set(alertname, alert.fingerprint);
    }
  };
  const loop = (async () => {
    while (running) {
      // A failed poll is a missed sighting, which the scenario's assertions will report.
      await poll().catch(() => undefined);
      await sleep(200);
    }
  })();
  return {
    sightings,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
