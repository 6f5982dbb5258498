/**
 * Two Prometheus servers of an HA pair, played: each evaluates the fleet's alert every
 * EVAL_MS, the second half an interval after the first, and sends what fires, and what
 * resolved lately, to every Alertmanager, as Prometheus does. Like real pairs they see an
 * episode begin at different evaluations, so their `startsAt` differ by half an interval;
 * Alertmanager keeps the earliest.
 */
import type { Episode, FleetPlan } from './episodes.js';

/** Prometheus' 15 s evaluation interval, scaled as the Alertmanager routes are (1/15). */
export const EVAL_MS = 1_000;
/** How long a resolved alert is still sent (Prometheus: 15 min; scaled). */
const RESOLVED_RESEND_MS = 10_000;

export interface PostedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

export interface PairFigures {
  /** Alerts posted, counted once per server and Alertmanager. */
  alertsPosted: number;
  posts: number;
  failedPosts: number;
}

export function alertLabels(host: number): Record<string, string> {
  return {
    alertname: 'AegisContainerExited',
    instance: `host-${String(host).padStart(4, '0')}:8737`,
    job: 'aegis-sentinel',
    container: 'app',
    severity: 'critical',
  };
}

/** The host an alert's `instance` names, or an action's target (`exec:host-0001:8737`). */
export function hostOf(instance: string): number {
  return Number(/host-(\d+):/.exec(instance)?.[1] ?? Number.NaN);
}

/** When server `phase` (0 or 1) first sees an episode that began at `startMs`: its next evaluation. */
export function activeAt(startMs: number, phase: number): number {
  const offset = (phase * EVAL_MS) / 2;
  return Math.ceil((startMs - offset) / EVAL_MS) * EVAL_MS + offset;
}

/**
 * Runs both servers until the plan ends (plus the resolved resends); `t0` is the run's
 * start (epoch ms). Resolves with what was posted.
 */
export async function runPrometheusPair(
  plan: FleetPlan,
  alertmanagers: string[],
  t0: number,
): Promise<PairFigures> {
  const figures: PairFigures = { alertsPosted: 0, posts: 0, failedPosts: 0 };
  const servers = [0, 1].map((phase) => evaluate(phase, plan, alertmanagers, t0, figures));
  await Promise.all(servers);
  return figures;
}

async function evaluate(
  phase: number,
  plan: FleetPlan,
  alertmanagers: string[],
  t0: number,
  figures: PairFigures,
): Promise<void> {
  const end = plan.durationMs + RESOLVED_RESEND_MS;
  for (let tick = activeAt(0, phase); tick <= end; tick += EVAL_MS) {
    const wait = t0 + tick - Date.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    // One alert per host, as a rule has one per label set: its latest episode begun, firing
    // or lately resolved. A new firing replaces the resolved one before it.
    const latest = new Map<number, Episode>();
    for (const e of plan.episodes) if (activeAt(e.startMs, phase) <= tick) latest.set(e.host, e);
    const alerts = [...latest.values()]
      .filter((e) => tick < e.endMs + RESOLVED_RESEND_MS)
      .map((e) => toAlert(e, phase, tick, t0));
    if (alerts.length === 0) continue;
    const body = JSON.stringify(alerts);
    await Promise.all(
      alertmanagers.map(async (url) => {
        figures.posts += 1;
        try {
          const response = await fetch(`${url}/api/v2/alerts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(5_000),
          });
          if (!response.ok) figures.failedPosts += 1;
          else figures.alertsPosted += alerts.length;
        } catch {
          figures.failedPosts += 1;
        }
      }),
    );
  }
}

/** The alert as server `phase` sends it at `tick`: firing (endsAt ahead, as Prometheus sets it) or resolved. */
function toAlert(episode: Episode, phase: number, tick: number, t0: number): PostedAlert {
  const resolvedAt = activeAt(episode.endMs, phase);
  const firing = tick < resolvedAt;
  return {
    labels: alertLabels(episode.host),
    annotations: { summary: `container app exited on host ${episode.host}` },
    startsAt: new Date(t0 + activeAt(episode.startMs, phase)).toISOString(),
    endsAt: new Date(t0 + (firing ? tick + 4 * EVAL_MS : resolvedAt)).toISOString(),
    generatorURL: `http://prometheus-${phase === 0 ? 'a' : 'b'}:9090/graph`,
  };
}
