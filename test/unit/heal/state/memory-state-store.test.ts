// The memory store's bounds: TTLs, the entry cap (oldest first, each told), target expiry,
// leases, and the episode journal.
import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../../../src/heal/state/memory-state-store.js';
import { EMPTY_TARGET_STATE } from '../../../../src/heal/state/state-store.js';
import { ManualClock } from '../dispatch/manual-clock.js';

function store(maxEntries = 100) {
  const clock = new ManualClock();
  const evicted: string[] = [];
  const s = new MemoryStateStore({
    clock,
    maxEntries,
    targetTtlMs: 60_000,
    onEvict: (key) => evicted.push(key),
  });
  return { clock, s, evicted };
}

describe('MemoryStateStore', () => {
  it('forgets the oldest entries past its cap, and says which', async () => {
    const { s, evicted } = store(100);
    for (let i = 0; i < 103; i += 1) await s.set(`episode:${i}`, 'x', 3_600_000);
    expect(s.size.entries).toBe(100);
    expect(evicted).toEqual(['episode:0', 'episode:1', 'episode:2']);
    expect(await s.exists('episode:3')).toBe(true);
  });

  it('drops expired entries before forgetting live ones', async () => {
    const { s, clock, evicted } = store(100);
    for (let i = 0; i < 100; i += 1) await s.set(`short:${i}`, 'x', 1_000);
    clock.advance(1_001);
    await s.set('long', 'x', 3_600_000);
    expect(evicted).toEqual([]);
    expect(s.size.entries).toBe(1);
  });

  it('sweeps a full store for expired entries once per sixteenth of its cap’s writes', async () => {
    const { s, clock, evicted } = store(160);
    for (let i = 0; i < 150; i += 1) await s.set(`long:${i}`, 'x', 3_600_000);
    for (let i = 0; i < 10; i += 1) await s.set(`short:${i}`, 'x', 1_000);
    await s.set('new:0', 'x', 3_600_000); // full: swept, nothing expired, the oldest goes
    clock.advance(1_001);
    // The next 10 writes evict the oldest; the 11th sweeps the 10 expired entries.
    for (let i = 1; i <= 11; i += 1) await s.set(`new:${i}`, 'x', 3_600_000);
    expect(evicted).toEqual(Array.from({ length: 11 }, (_, i) => `long:${i}`));
    expect(s.size.entries).toBe(151);
    expect(await s.exists('short:0')).toBe(false);
  });

  it('forgets a target’s state its TTL after the last write', async () => {
    const { s, clock } = store();
    const state = {
      ...EMPTY_TARGET_STATE,
      consecutive_failures: 2,
      circuit_open_until_ms: clock.now() + 10_000,
    };
    await s.putTarget('exec:t', state);
    clock.advance(59_000);
    expect(await s.getTarget('exec:t')).toEqual(state);
    expect(await s.openCircuits(clock.now() - 60_000)).toEqual(['exec:t']);
    clock.advance(1_000);
    expect(await s.getTarget('exec:t')).toEqual(EMPTY_TARGET_STATE);
    expect(await s.openCircuits(0)).toEqual([]);
    expect(s.size.targets).toBe(0);
  });

  it('renews its own lease, takes an expired one back, and refuses another holder’s', async () => {
    const { s, clock } = store();
    expect(await s.renew('episode:1', 'lease:a', 1_000)).toBe(true);
    expect(await s.renew('episode:1', 'lease:b', 1_000)).toBe(false);
    clock.advance(999);
    expect(await s.renew('episode:1', 'lease:a', 1_000)).toBe(true);
    clock.advance(999);
    expect(await s.get('episode:1')).toBe('lease:a');
    clock.advance(2);
    expect(await s.renew('episode:1', 'lease:b', 1_000)).toBe(true);
  });

  it('journals an episode: open attempt, interruptions counted once per attempt, done', async () => {
    const { s } = store();
    await s.openAttempt('episode:1', '{"id":"a1"}', 60_000);
    expect(await s.readEpisode('episode:1')).toEqual({
      open: '{"id":"a1"}',
      interrupted: 0,
      done: false,
    });
    expect(await s.interruptAttempt('episode:1', 'other', 60_000)).toBe(0);
    expect(await s.interruptAttempt('episode:1', 'a1', 60_000)).toBe(1);
    expect(await s.interruptAttempt('episode:1', 'a1', 60_000)).toBe(1);
    await s.openAttempt('episode:1', '{"id":"a2"}', 60_000);
    await s.closeAttempt('episode:1', true, 60_000);
    expect(await s.readEpisode('episode:1')).toEqual({ interrupted: 1, done: true });
  });
});
