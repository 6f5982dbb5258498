/** The healer's own metrics, registered on the agent's registry. Names are pinned for the shipped rules and dashboard. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { ACTIONS } from './policy/policy.js';

const NOTIFICATION_STATUSES = ['firing', 'resolved', 'invalid', 'unauthorized', 'refused'] as const;
const ACTION_RESULTS = [
  'success',
  'unverified',
  'cancelled',
  'failure',
  'timeout',
  'dry_run',
  'interrupted',
] as const;
/** Every reason the dispatcher gives for not acting (see docs: decisions and their reasons). */
export const SKIP_REASONS = [
  'resolved',
  'no_match',
  'disabled',
  'missing_label',
  'unsafe_label',
  'duplicate',
  'not_allowed',
  'opted_out',
  'stopped_by_user',
  'maintenance',
  'silenced',
  'cooldown',
  'backoff',
  'circuit_open',
  'dry_run',
  'stopping',
  'lease_lost',
  'interrupted_again',
] as const;

export interface HealMetrics {
  notifications: Counter<'status'>;
  actions: Counter<'action' | 'result'>;
  skips: Counter<'reason'>;
  duration: Histogram<'action'>;
  inFlight: Gauge;
  circuitOpen: Gauge<'target'>;
  stateStoreUp: Gauge;
  announcements: Counter<'result'>;
  maintenance: Gauge;
  auditWritable: Gauge;
  stateStoreLost: Gauge;
  stateEvictions: Counter;
}

/**
 * Counters (and the duration histogram) start at 0 for every label value they can take: a series that first appears
 * at 1 hides its first event from increase() and rate(), so an alert on the first
 * failed action would not fire.
 */
export function registerHealMetrics(registry: Registry): HealMetrics {
  const metrics = createHealMetrics(registry);
  for (const status of NOTIFICATION_STATUSES) metrics.notifications.inc({ status }, 0);
  for (const action of ACTIONS) {
    for (const result of ACTION_RESULTS) metrics.actions.inc({ action, result }, 0);
    // The duration histogram too: otherwise rate() never sees an action's first runs.
    metrics.duration.zero({ action });
  }
  for (const reason of SKIP_REASONS) metrics.skips.inc({ reason }, 0);
  for (const result of ['sent', 'failed', 'dropped']) metrics.announcements.inc({ result }, 0);
  metrics.stateEvictions.inc(0);
  return metrics;
}

function createHealMetrics(registry: Registry): HealMetrics {
  const registers = [registry];
  return {
    notifications: new Counter({
      name: 'aegis_heal_notifications_total',
      help: 'Alert notifications received, by status: firing or resolved (webhook groups and local alert transitions), invalid (rejected by schema or label safety), unauthorized, refused (503: the audit cannot be written or Redis lost its state).',
      labelNames: ['status'],
      registers,
    }),
    actions: new Counter({
      name: 'aegis_heal_actions_total',
      help: 'Healing actions by action and result: success (verified), unverified (done, no check configured), cancelled (its alert resolved), failure, timeout, dry_run (decided but not executed), interrupted (cut short by the healer stopping).',
      labelNames: ['action', 'result'],
      registers,
    }),
    skips: new Counter({
      name: 'aegis_heal_skips_total',
      help: 'Alerts or attempts not acted on now, by reason.',
      labelNames: ['reason'],
      registers,
    }),
    duration: new Histogram({
      name: 'aegis_heal_action_duration_seconds',
      help: 'Time from an action starting to its effect being verified or the attempt failing.',
      labelNames: ['action'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    inFlight: new Gauge({
      name: 'aegis_heal_actions_in_flight',
      help: 'Healing actions running now.',
      registers,
    }),
    circuitOpen: new Gauge({
      name: 'aegis_heal_circuit_open',
      help: '1 for each target whose circuit is open: the healer has stopped touching it after repeated failures.',
      labelNames: ['target'],
      registers,
    }),
    stateStoreUp: new Gauge({
      name: 'aegis_heal_state_store_up',
      help: 'Whether the healing state store (memory, or Redis) answers: 1 up, 0 down.',
      registers,
    }),
    announcements: new Counter({
      name: 'aegis_heal_announcements_total',
      help: 'Healing events announced to Alertmanager (and the announce webhook), by result: sent, failed (the request failed or timed out), dropped (the queue was full).',
      labelNames: ['result'],
      registers,
    }),
    maintenance: new Gauge({
      name: 'aegis_heal_maintenance',
      help: '1 while healing is paused for maintenance, else 0.',
      registers,
    }),
    auditWritable: new Gauge({
      name: 'aegis_heal_audit_writable',
      help: 'Whether the healing audit file can be written: 1 yes, 0 no (the healer then refuses work unless recovery.audit_fail_open).',
      registers,
    }),
    stateStoreLost: new Gauge({
      name: 'aegis_heal_state_store_lost',
      help: "1 while the Redis state store has lost the healer's data (its epoch marker is gone or changed): the healer answers 503 until an operator restores the marker.",
      registers,
    }),
    stateEvictions: new Counter({
      name: 'aegis_heal_state_evictions_total',
      help: 'Entries the full memory state store forgot before their TTL (recovery.memory_store_max_entries): a forgotten episode can be acted on again if redelivered.',
      registers,
    }),
  };
}
