import { afterEach, describe, expect, it } from 'vitest';
import { CollectionLoop, type Collectors } from '../../../src/collect/collection-loop.js';
import type { ProbeResult, Snapshot } from '../../../src/collect/snapshot.js';
import type { EndpointConfig } from '../../../src/config/monitoring.js';
import { silentLogger } from '../../../src/logger.js';
import { capturingLogger } from '../../support/capturing-logger.js';
import { snapshotFixture } from '../support/snapshot-fixture.js';

const fixture = snapshotFixture();
const host = { collect: async () => fixture.host! };
const failing = {
  collect: async (): Promise<never> => {
    throw new Error('docker exploded');
  },
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function endpoint(name: string): EndpointConfig {
  return { url: `http://127.0.0.1:1/${name}`, name, method: 'GET' };
}

function answer(target: string, duration_seconds = 0.001): ProbeResult {
  return {
    target,
    url: `http://127.0.0.1:1/${target}`,
    success: true,
    duration_seconds,
    status_code: 200,
  };
}

/** Endpoints whose probes answer at once, except `hung`, which answers only when stopped. */
function endpointsWith(
  names: string[],
  started: { target: string; at: number }[] = [],
): NonNullable<Collectors['endpoints']> {
  return {
    endpoints: names.map(endpoint),
    probe: (config, signal) => {
      const target = config.name!;
      started.push({ target, at: performance.now() });
      if (target !== 'hung') return Promise.resolve(answer(target));
      return new Promise((resolve) =>
        signal!.addEventListener('abort', () =>
          resolve({ ...answer(target, 9), success: false, status_code: 0, error: 'stopped' }),
        ),
      );
    },
  };
}

let loop: CollectionLoop | undefined;
afterEach(async () => {
  await loop?.stop();
  loop = undefined;
});

describe('CollectionLoop', () => {
  it('collects once with every collector and a status per collector', async () => {
    loop = new CollectionLoop({
      collectors: { host, endpoints: endpointsWith(['a', 'b']) },
      intervalSeconds: 60,
      logger: silentLogger(),
    });
    const snapshot = await loop.collectOnce();
    expect(snapshot.host).toBe(fixture.host);
    expect(snapshot.probes).toEqual([answer('a'), answer('b')]);
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

  it('joins a collector run in flight instead of starting a second one', async () => {
    let calls = 0;
    const slow = {
      collect: async () => {
        calls += 1;
        await sleep(20);
        return fixture.host!;
      },
    };
    loop = new CollectionLoop({
      collectors: { host: slow },
      intervalSeconds: 60,
      logger: silentLogger(),
    });
    const [a, b] = await Promise.all([loop.collectOnce(), loop.collectOnce()]);
    expect(a.host).toBe(b.host);
    expect(calls).toBe(1);
  });

  it('ticks at start and then every interval, handing each snapshot to listeners', async () => {
    loop = new CollectionLoop({
      collectors: { host },
      intervalSeconds: 0.05,
      logger: silentLogger(),
    });
    const seen: Snapshot[] = [];
    loop.onSnapshot((snapshot) => seen.push(snapshot));
    await loop.start();
    expect(seen).toHaveLength(1);
    await sleep(180);
    await loop.stop();
    const count = seen.length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(5);
    await sleep(120);
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

  it('ticks on time with fresh host figures while a probe hangs, and stop() ends the probe', async () => {
    loop = new CollectionLoop({
      collectors: { host, endpoints: endpointsWith(['hung', 'fast']) },
      intervalSeconds: 0.05,
      logger: silentLogger(),
    });
    const ticks: Snapshot[] = [];
    loop.onSnapshot((snapshot) => ticks.push(snapshot));
    await loop.start();
    await sleep(300);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    const last = ticks.at(-1)!;
    expect(Date.now() - last.timestamp_ms).toBeLessThan(100);
    expect(last.host).toBe(fixture.host);
    // The hung target has no result yet; the fast one has its own.
    expect(last.probes).toEqual([answer('fast')]);
    const stopping = loop.stop();
    await stopping;
    expect(loop.latest!.probes).toEqual([
      { ...answer('hung', 9), success: false, status_code: 0, error: 'stopped' },
      answer('fast'),
    ]);
  });

  it('reports a container engine silent for longer than an interval as failing, and ticks on', async () => {
    let calls = 0;
    // The first call answers after 250 ms, five intervals; the next ones at once.
    const containers = {
      collect: () => sleep((calls += 1) === 1 ? 250 : 0).then(() => fixture.containers!),
    };
    loop = new CollectionLoop({
      collectors: { host, containers },
      intervalSeconds: 0.05,
      logger: silentLogger(),
    });
    const ticks: Snapshot[] = [];
    loop.onSnapshot((snapshot) => ticks.push(snapshot));
    await loop.start();
    await sleep(150);
    const status = ticks.at(-1)!.collectors.find(({ name }) => name === 'containers');
    expect(status).toMatchObject({ name: 'containers', success: false });
    expect(status!.error).toMatch(/^no answer after 0\.\d+s$/);
    expect(ticks.at(-1)!.host).toBe(fixture.host);
    await sleep(200);
    expect(loop.latest!.containers).toBe(fixture.containers);
    expect(loop.latest!.collectors.find(({ name }) => name === 'containers')).toMatchObject({
      success: true,
    });
  });

  it('spreads the probes of one interval evenly across it', async () => {
    const started: { target: string; at: number }[] = [];
    loop = new CollectionLoop({
      collectors: { endpoints: endpointsWith(['a', 'b', 'c', 'd'], started) },
      intervalSeconds: 0.4,
      logger: silentLogger(),
    });
    await loop.start();
    await sleep(350);
    expect(started.map(({ target }) => target)).toEqual(['a', 'b', 'c', 'd']);
    const offsets = started.map(({ at }) => at - started[0]!.at);
    for (const [index, offset] of offsets.entries())
      expect(Math.abs(offset - index * 100)).toBeLessThan(40);
  });
});
