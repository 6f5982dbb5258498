// Leases on the memory store with a clock moved by hand: renewed while held, expired
// once not, lost to another holder (and said so).
import { describe, expect, it, vi } from 'vitest';
import { Leases } from '../../../../src/heal/dispatch/leases.js';
import { MemoryStateStore } from '../../../../src/heal/state/memory-state-store.js';
import { capturingLogger } from '../../../support/capturing-logger.js';
import { ManualClock } from './manual-clock.js';

function setup() {
  const clock = new ManualClock();
  const store = new MemoryStateStore({ clock, maxEntries: 1000, targetTtlMs: 60_000 });
  const { logger, lines } = capturingLogger('debug');
  const leases = new Leases({ store, leaseMs: 20_000, clock, logger, renew: true });
  return { clock, store, leases, lines };
}

describe('Leases', () => {
  it('keeps a held lease alive past its duration, and lets it expire once released', async () => {
    const { clock, store, leases } = setup();
    expect(await leases.acquire('episode:1', 'lease:a')).toBe(true);
    // Held here already: a second delivery in this process is a duplicate.
    expect(await leases.acquire('episode:1', 'lease:a')).toBe(false);
    for (let i = 0; i < 9; i += 1) {
      clock.advance(7_000);
      await vi.waitFor(async () => expect(await store.get('episode:1')).toBe('lease:a'));
    }
    leases.release('episode:1');
    clock.advance(20_001);
    expect(await store.get('episode:1')).toBeUndefined();
    leases.stop();
  });

  it('takes back a lease an earlier run of the same healer left, not another holder’s', async () => {
    const { store, leases } = setup();
    await store.set('episode:mine', 'lease:a', 20_000);
    await store.set('episode:theirs', 'lease:b', 20_000);
    expect(await leases.acquire('episode:mine', 'lease:a')).toBe(true);
    expect(await leases.acquire('episode:theirs', 'lease:a')).toBe(false);
    leases.stop();
  });

  it('stops renewing a lease someone else now holds, and logs heal_lease_lost', async () => {
    const { clock, store, leases, lines } = setup();
    await leases.acquire('episode:1', 'lease:a');
    await store.set('episode:1', 'lease:b', 20_000);
    clock.advance(7_000);
    await vi.waitFor(() =>
      expect(lines.find((line) => line.event === 'heal_lease_lost')).toMatchObject({
        key: 'episode:1',
      }),
    );
    expect(await leases.confirm('episode:1')).toBe(false);
    expect(await store.get('episode:1')).toBe('lease:b');
    leases.stop();
  });
});
