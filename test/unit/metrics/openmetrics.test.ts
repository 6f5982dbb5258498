import { describe, expect, it } from 'vitest';
import { toOpenMetrics } from '../../../src/metrics/openmetrics.js';

describe('toOpenMetrics', () => {
  it('names counter families without _total, escapes HELP quotes, drops blank lines and ends with # EOF', () => {
    const text = [
      '# HELP aegis_node_cpu_seconds_total Seconds each CPU spent in each mode.',
      '# TYPE aegis_node_cpu_seconds_total counter',
      'aegis_node_cpu_seconds_total{cpu="0",mode="idle"} 10',
      '',
      '# HELP aegis_container_health_status 1 for the current status; "none" without a healthcheck.',
      '# TYPE aegis_container_health_status gauge',
      'aegis_container_health_status{name="web",status="none"} 1',
      '',
      '# HELP aegis_heal_action_duration_seconds From start to verification.',
      '# TYPE aegis_heal_action_duration_seconds histogram',
      'aegis_heal_action_duration_seconds_bucket{le="+Inf",action="exec"} 1',
      'aegis_heal_action_duration_seconds_sum{action="exec"} 0.5',
      'aegis_heal_action_duration_seconds_count{action="exec"} 1',
      '',
    ].join('\n');
    expect(toOpenMetrics(text)).toBe(
      [
        '# HELP aegis_node_cpu_seconds Seconds each CPU spent in each mode.',
        '# TYPE aegis_node_cpu_seconds counter',
        'aegis_node_cpu_seconds_total{cpu="0",mode="idle"} 10',
        '# HELP aegis_container_health_status 1 for the current status; \\"none\\" without a healthcheck.',
        '# TYPE aegis_container_health_status gauge',
        'aegis_container_health_status{name="web",status="none"} 1',
        '# HELP aegis_heal_action_duration_seconds From start to verification.',
        '# TYPE aegis_heal_action_duration_seconds histogram',
        'aegis_heal_action_duration_seconds_bucket{le="+Inf",action="exec"} 1',
        'aegis_heal_action_duration_seconds_sum{action="exec"} 0.5',
        'aegis_heal_action_duration_seconds_count{action="exec"} 1',
        '# EOF',
        '',
      ].join('\n'),
    );
  });
});
