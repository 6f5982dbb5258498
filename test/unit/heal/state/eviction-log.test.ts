// The full memory store's evictions: all counted, warned about at most once a minute.
import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EvictionLog } from '../../../../src/heal/state/eviction-log.js';
import { capturingLogger } from '../../../support/capturing-logger.js';
import { ManualClock } from '../dispatch/manual-clock.js';

describe('EvictionLog', () => {
  it('counts every eviction and warns at most once a minute with how many since the last warning', async () => {
    const { logger, lines } = capturingLogger();
    const registry = new Registry();
    const counter = new Counter({ name: 'evictions_total', help: 'x', registers: [registry] });
    const clock = new ManualClock();
    const log = new EvictionLog({ logger, counter, clock, maxEntries: 100 });
    for (let i = 0; i < 1_000; i += 1) log.evicted(`episode:${i}`);
    clock.advance(59_999);
    log.evicted('episode:1000');
    clock.advance(1);
    log.evicted('episode:1001');
    log.evicted('episode:1002');
    expect(
      lines.map((l) => [l.level, l.event, l.evicted, l.last_key, l.max_entries, l.msg]),
    ).toEqual([
      [
        'warn',
        'heal_state_evicted',
        1,
        'episode:0',
        100,
        'memory state store full (recovery.memory_store_max_entries): 1 oldest entry forgotten',
      ],
      [
        'warn',
        'heal_state_evicted',
        1001,
        'episode:1001',
        100,
        'memory state store full (recovery.memory_store_max_entries): 1001 oldest entries forgotten',
      ],
    ]);
    expect(await registry.getSingleMetricAsString('evictions_total')).toContain(
      'evictions_total 1003',
    );
  });
});
