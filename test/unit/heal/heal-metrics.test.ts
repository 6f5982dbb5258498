import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerHealMetrics } from '../../../src/heal/heal-metrics.js';

describe('registerHealMetrics', () => {
  it('starts every counter series at 0, so increase() sees the first event', async () => {
    const registry = new Registry();
    registerHealMetrics(registry);
    const text = await registry.metrics();
    expect(text).toContain(
      'aegis_heal_actions_total{action="docker_restart",result="failure"} 0\n',
    );
    expect(text).toContain('aegis_heal_actions_total{action="exec",result="success"} 0\n');
    expect(text).toContain('aegis_heal_notifications_total{status="firing"} 0\n');
    expect(text).toContain('aegis_heal_skips_total{reason="circuit_open"} 0\n');
    expect(text).toContain('aegis_heal_actions_total{action="exec",result="unverified"} 0\n');
    expect(text).toContain('aegis_heal_actions_total{action="exec",result="cancelled"} 0\n');
    expect(text).toContain('aegis_heal_actions_total{action="exec",result="interrupted"} 0\n');
    expect(text.match(/^aegis_heal_actions_total\{/gm)).toHaveLength(28);
    expect(text).toContain('aegis_heal_action_duration_seconds_count{action="exec"} 0\n');
    expect(text).toContain(
      'aegis_heal_action_duration_seconds_bucket{le="+Inf",action="cache_flush"} 0\n',
    );
  });
});
