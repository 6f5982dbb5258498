/** The healer's own metrics, registered on the agent's registry. Names are pinned for the shipped rules and dashboard. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface HealMetrics {
  notifications: Counter<'status'>;
  actions: Counter<'action' | 'result'>;
  skips: Counter<'reason'>;
  duration: Histogram<'action'>;
  inFlight: Gauge;
  circuitOpen: Gauge<'target'>;
  stateStoreUp: Gauge;
}

export function registerHealMetrics(registry: Registry): HealMetrics {
  const registers = [registry];
  return {
    notifications: new Counter({
      name: 'aegis_heal_notifications_total',
      help: 'Alert notifications received, by status: firing or resolved (webhook groups and local alert transitions), invalid (rejected by schema or label safety), unauthorized.',
      labelNames: ['status'],
      registers,
    }),
    actions: new Counter({
      name: 'aegis_heal_actions_total',
      help: 'Healing actions by action and result: success (verified), failure, timeout, dry_run (decided but not executed).',
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
  };
}
