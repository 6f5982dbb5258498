/**
 * prom-client's default process_* and nodejs_* metrics, less the three gauges it
 * names with a `_total` suffix (nodejs_active_{handles,requests,resources}_total),
 * which `promtool check metrics` rejects: non-counters must not end in _total.
 */
import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * Event-loop delay sampling period. Every wake-up of an idle process costs about
 * 0.75 ms of CPU on the 2-core build machine: prom-client's default, 10 ms, alone cost
 * 0.6 % of a core (bench:scrape), and 50 ms still 0.30 %, where the agent's whole idle
 * budget is 2.5 times node_exporter's 0.1 % (bench:agent). One sample a second costs
 * about 0.075 %. The exported lag figures include this period.
 */
export const EVENT_LOOP_MONITORING_PRECISION_MS = 1000;

const LINT_FAILING_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({
    register: registry,
    eventLoopMonitoringPrecision: EVENT_LOOP_MONITORING_PRECISION_MS,
  });
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
}
