import { afterEach, describe, expect, it } from 'vitest';
import { CollectionLoop } from '../../../src/collect/collection-loop.js';
import type { Snapshot } from '../../../src/collect/snapshot.js';
import { silentLogger } from '../../../src/logger.js';
import { capturingLogger } from '../../support/capturing-logger.js';
import { snapshotFixture } from '../support/snapshot-fixture.js';

const fixture = snapshotFixture();
const host = { collect: async () => fixture.host! };
const endpoints = { collect: async () => fixture.probes! };
const failing = {
  collect: async (): Promise<never> => {
    throw new Error('docker exploded');
  },
};

let loop: CollectionLoop | undefined;
afterEach(async () => {
  await loop?.stop();
  loop = undefined;
});

describe('CollectionLoop', () => {
  it('publishes one snapshot per round with a status per collector', async () => {
    loop = new CollectionLoop({
      collectors: { host, endpoints },
      intervalSeconds: 60,
      logger: silentLogger(),
    });
    const snapshot = await loop.collectOnce();
    expect(snapshot.host).toBe(fixture.host);
    expect(snapshot.probes).toBe(fixture.probes);
    expect(snapshot.containers).toBeUndefined();
    expect(snapshot.collectors.map((c) => [c.name, c.success])).toEqual([
      ['host', true],
      ['endpoints', true],
    ]);
    expect(loop.latest).toBe(snapshot);
    expect(Object.isFrozen(snapshot)).toBe(true);
  });

  it('reports a throwing collector as failed and still publishes the others', async () => {
    loop = new CollectionLoop({
      collectors: { host, containers: failing },
      intervalSeconds: 60,
      logger: silentLogger(),
    });
    const snapshot = await loop.collectOnce();
    expect(snapshot.host).toBe(fixture.host);
    expect(snapshot.containers).toEqual({ engine_up: false, containers: [] });
    expect(snapshot.collectors[1]).toMatchObject({
      name: 'containers',
      success: false,
      error: 'docker exploded',
    });
  });

  it('logs a collector failing once, when it starts, and once when it recovers', async () => {
    let fails = true;
    const flaky = {
      collect: async () => {
        if (fails) throw new Error('docker exploded');
        return { engine_up: true, containers: [] };
      },
    };
    const { logger, lines } = capturingLogger();
    loop = new CollectionLoop({
      collectors: { host, containers: flaky },
      intervalSeconds: 60,
      logger,
    });
    await loop.collectOnce();
    await loop.collectOnce();
    fails = false;
    await loop.collectOnce();
    await loop.collectOnce();
    expect(lines.map(({ event, collector, error }) => ({ event, collector, error }))).toEqual([
      { event: 'collector_failed', collector: 'containers', error: 'docker exploded' },
      { event: 'collector_recovered', collector: 'containers', error: undefined },
    ]);
  });

  it('joins a round in flight instead of starting a second one', async () => {
    let calls = 0;
    const slow = {
      collect: async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return fixture.host!;
      },
    };
    loop = new CollectionLoop({
      collectors: { host: slow },
      intervalSeconds: 60,
      logger: silentLogger(),
    });
    const [a, b] = await Promise.all([loop.collectOnce(), loop.collectOnce()]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
  });

  it('runs a round at start and then every interval, handing each snapshot to listeners', async () => {
    loop = new CollectionLoop({
      collectors: { host },
      intervalSeconds: 0.05,
      logger: silentLogger(),
    });
    const seen: Snapshot[] = [];
    loop.onSnapshot((snapshot) => seen.push(snapshot));
    await loop.start();
    expect(seen).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 180));
    await loop.stop();
    const count = seen.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(5);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(seen).toHaveLength(count);
  });

  it('keeps publishing when a listener throws', async () => {
    loop = new CollectionLoop({
      collectors: { host },
      intervalSeconds: 60,
      logger: silentLogger(),
    });
    const seen: number[] = [];
    loop.onSnapshot(() => {
      throw new Error('bad consumer');
    });
    loop.onSnapshot((snapshot) => seen.push(snapshot.timestamp_ms));
    await loop.collectOnce();
    expect(seen).toHaveLength(1);
  });
});
