/**
 * What the healer tells people, as an Alertmanager alert: an action taken (verified,
 * unverified or cancelled), failed, or given up, and a circuit opened. Posted to
 * Alertmanager's v2 API, it goes through the routes, silences and inhibitions people
 * already have; its labels are what they route and silence on.
 *
 * | alertname               | severity | when                                                     |
 * | ----------------------- | -------- | -------------------------------------------------------- |
 * | `AegisHealActionTaken`  | info     | decision `succeeded`, `unverified` or `cancelled`        |
 * | `AegisHealActionFailed` | warning  | decision `failed`, retries left                          |
 * | `AegisHealGaveUp`       | critical | decision `failed` on the episode's last attempt          |
 * | `AegisHealCircuitOpen`  | critical | the target's circuit opened; it ends when the circuit may close |
 *
 * Labels: `alertname`, `severity`, `outcome` (the decision, or `circuit_open`), `action`,
 * `target`, `rule`, `healed_alertname` and `healed_fingerprint` (the alert that was
 * healed), `attempt`. Annotations: `summary`, and `error` when there is one. Without an
 * end, Alertmanager resolves them after its `resolve_timeout` (5m by default).
 */
import type { AuditEntry } from '../audit/audit-log.js';

/** An alert as Alertmanager's `POST /api/v2/alerts` takes it. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

export type AnnouncedEvent = 'taken' | 'failed' | 'gave_up' | 'circuit_open';

const ALERTNAMES: Record<AnnouncedEvent, [alertname: string, severity: string]> = {
  taken: ['AegisHealActionTaken', 'info'],
  failed: ['AegisHealActionFailed', 'warning'],
  gave_up: ['AegisHealGaveUp', 'critical'],
  circuit_open: ['AegisHealCircuitOpen', 'critical'],
};

/**
 * The event an audit entry announces, or undefined for one people need not hear about
 * (started, skipped, deferred, dry run). `lastAttempt`: the episode has no retry left.
 */
export function announcedEvent(
  entry: AuditEntry,
  lastAttempt: boolean,
): AnnouncedEvent | undefined {
  switch (entry.decision) {
    case 'succeeded':
    case 'unverified':
    case 'cancelled':
      return 'taken';
    case 'failed':
      return lastAttempt ? 'gave_up' : 'failed';
    default:
      return undefined;
  }
}

/** The alert announcing `event` about the job of `entry`; `endsAt` for a circuit's end. */
export function announcement(
  event: AnnouncedEvent,
  entry: AuditEntry,
  endsAt?: string,
): PostableAlert {
  const [alertname, severity] = ALERTNAMES[event];
  const outcome = event === 'circuit_open' ? 'circuit_open' : entry.decision;
  const labels: Record<string, string> = {
    alertname,
    severity,
    outcome,
    action: entry.action ?? '',
    target: entry.target ?? '',
    rule: entry.rule ?? '',
    healed_alertname: entry.alertname,
    healed_fingerprint: entry.fingerprint,
    attempt: String(entry.attempt ?? ''),
  };
  const what = `${entry.action} on ${entry.target}`;
  const summary = {
    taken: `healer ran ${what} (${outcome}) for ${entry.alertname}`,
    failed: `healer's ${what} failed (attempt ${entry.attempt}) for ${entry.alertname}; it will retry`,
    gave_up: `healer gave up on ${what} for ${entry.alertname} after attempt ${entry.attempt}`,
    circuit_open: `healer opened the circuit on ${entry.target}: it leaves it alone until ${endsAt}; a human is needed`,
  }[event];
  return {
    labels,
    annotations: { summary, ...(entry.error ? { error: entry.error } : {}) },
    startsAt: entry.time,
    ...(endsAt ? { endsAt } : {}),
  };
}
