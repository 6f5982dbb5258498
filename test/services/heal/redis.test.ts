// The healer with a real Redis: cache flushes, three replicas acting once, and an outage.
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PodmanEngine, startPodmanEngine } from '../../support/podman.js';
import { outageTolerantClient, type RedisServer, startRedis } from '../../support/redis.js';
import type { TestHealer } from '../../unit/heal/helpers.js';
import { notification, postHeal, startServiceHealer } from './helpers.js';

let redis: RedisServer;
let client: Redis;

beforeAll(async () => {
  redis = await startRedis();
  client = outageTolerantClient(redis.url);
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

async function fill(db: number, prefix: string, count: number): Promise<void> {
  const c = client.duplicate({ db });
  c.on('error', () => undefined);
  const pipeline = c.pipeline();
  for (let i = 0; i < count; i += 1) pipeline.set(`${prefix}${i}`, 'v');
  await pipeline.exec();
  c.disconnect();
}

async function countKeys(db: number, pattern: string): Promise<number> {
  const c = client.duplicate({ db });
  c.on('error', () => undefined);
  let cursor = '0';
  let n = 0;
  do {
    const [next, keys] = await c.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== '0');
  c.disconnect();
  return n;
}

describe('cache_flush on a real Redis', () => {
  let h: TestHealer;
  beforeAll(async () => {
    h = await startServiceHealer({
      policy_file: 'examples/policy.yml',
      caches: {
        sessions: { url: redis.url, db: 2, pattern: 'session:*' },
        'app-cache': { url: redis.url, db: 4, pattern: 'cache:*' },
      },
      allowed_commands: ['/usr/sbin/logrotate', '/usr/bin/pgrep'],
    });
  });
  afterAll(() => h?.cleanup());

  it('removes exactly the keys matching the pattern, with SCAN and UNLINK', async () => {
    await fill(2, 'session:', 2_500);
    await fill(2, 'sessions-keep:', 40);
    await fill(2, 'cart:', 60);
    await fill(0, 'session:', 10);
    const response = await postHeal(
      h,
      notification([{ labels: { alertname: 'SessionErrorsHigh' } }]),
    );
    expect(response.status).toBe(202);
    await vi.waitFor(() =>
      expect(h.healer.status().recent.at(-1)).toMatchObject({
        // No verify_command in the example rule: the flush is done, not verified.
        decision: 'unverified',
        target: 'cache_flush:sessions',
      }),
    );
    expect(await countKeys(2, 'session:*')).toBe(0);
    expect(await countKeys(2, 'sessions-keep:*')).toBe(40);
    expect(await countKeys(2, 'cart:*')).toBe(60);
    expect(await countKeys(0, 'session:*')).toBe(10);
    const commands = await client.info('commandstats');
    expect(commands).not.toMatch(/cmdstat_keys:/);
    expect(commands).toMatch(/cmdstat_unlink:calls=\d+/);
  });
});

describe('cache_flush of a whole database', () => {
  it('empties the configured database and nothing else', async () => {
    const h = await startServiceHealer(
      { caches: { scratch: { url: redis.url, db: 3 } } },
      undefined,
      `- matchers: ['alertname="ScratchFull"']\n  action: cache_flush\n  target: scratch\n`,
    );
    try {
      await fill(3, 'x:', 100);
      await fill(4, 'y:', 7);
      expect(
        (await postHeal(h, notification([{ labels: { alertname: 'ScratchFull' } }]))).status,
      ).toBe(202);
      await vi.waitFor(() =>
        expect(h.healer.status().recent.at(-1)).toMatchObject({ decision: 'unverified' }),
      );
      // FLUSHDB ASYNC: the keys go at once, their memory is reclaimed in the background.
      expect(await countKeys(3, '*')).toBe(0);
      expect(await countKeys(4, '*')).toBe(7);
    } finally {
      await h.cleanup();
    }
  });
});

describe('three replicas sharing Redis', () => {
  let engine: PodmanEngine;
  let docker: Docker;
  const healers: TestHealer[] = [];
  beforeAll(async () => {
    engine = await startPodmanEngine();
    docker = new Docker({ socketPath: engine.socketPath });
    for (let i = 0; i < 3; i += 1) {
      healers.push(
        await startServiceHealer(
          { redis_url: redis.url, docker_stop_timeout: 1, redis_key_prefix: 'replicas:' },
          engine.dockerHost,
        ),
      );
    }
  });
  afterAll(async () => {
    for (const h of healers) await h.cleanup();
    await engine?.stop();
  });

  it('each receive the same notification fifty times at once: exactly one restart', async () => {
    const id = await engine.run({
      name: 'shared-web',
      labels: { 'aegis.autoheal': 'true' },
      cmd: ['sleep', '3600'],
    });
    await engine.crash('shared-web');
    await vi.waitFor(
      async () => expect((await docker.getContainer(id).inspect()).State.Status).toBe('exited'),
      { timeout: 10_000 },
    );
    const startedBefore = (await docker.getContainer(id).inspect()).State.StartedAt;
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const body = notification([
      {
        labels: { alertname: 'AegisContainerExited', container: 'shared-web' },
        fingerprint: 'feedfacecafebeef',
      },
    ]);
    const responses = await Promise.all(
      healers.flatMap((h) => Array.from({ length: 50 }, () => postHeal(h, body))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(150).fill(202));
    const decisions = responses.map((r) => r.body.decisions[0]);
    expect(decisions.filter((d) => d.decision === 'queued')).toHaveLength(1);
    expect(decisions.filter((d) => d.reason === 'duplicate')).toHaveLength(149);

    await vi.waitFor(
      () =>
        expect(
          healers
            .flatMap((h) => h.healer.status().recent)
            .filter((e) => e.decision === 'succeeded'),
        ).toHaveLength(1),
      { timeout: 30_000, interval: 100 },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(healers.reduce((sum, h) => sum + h.healer.status().attempts, 0)).toBe(1);
    const inspected = (await docker.getContainer(id).inspect()).State;
    expect(inspected.Running).toBe(true);
    expect(inspected.StartedAt).not.toBe(startedBefore);
    // The shared audit stream holds the one start, whichever replica made it.
    const stream = await client.xrange('replicas:audit', '-', '+');
    const started = stream
      .map(([, fields]) => JSON.parse(fields[1] as string))
      .filter((e) => e.decision === 'started');
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({
      action: 'docker_restart',
      target: 'docker_restart:shared-web',
      fingerprint: 'feedfacecafebeef',
    });
  });
});

describe('Redis outage', () => {
  it('answers 503 and acts on nothing while Redis is down, and recovers when it returns', async () => {
    const h = await startServiceHealer(
      { redis_url: redis.url, allowed_commands: ['/bin/true'], redis_key_prefix: 'outage:' },
      undefined,
      `- matchers: ['alertname="RunTrue"']\n  action: exec\n  target: t\n  argv: ['/bin/true']\n  verify_command: ['/bin/true']\n`,
    );
    const storeUp = () => h.registry.getSingleMetricAsString('aegis_heal_state_store_up');
    try {
      await vi.waitFor(async () =>
        expect(await storeUp()).toContain('aegis_heal_state_store_up 1'),
      );
      const epoch = await client.get('outage:epoch');
      await redis.kill();
      const body = notification([{ labels: { alertname: 'RunTrue' } }]);
      const down = await postHeal(h, body);
      expect(down.status).toBe(503);
      expect(down.body.error).toBe('state_store_unavailable');
      expect(down.body.message).toMatch(/; deliver again later$/);
      expect(await storeUp()).toContain('aegis_heal_state_store_up 0');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(h.healer.status()).toMatchObject({ attempts: 0, in_flight: 0 });
      expect(h.lines.filter((line) => line.event === 'heal_action_started')).toEqual([]);

      await redis.restart();
      await vi.waitFor(
        async () => expect(await storeUp()).toContain('aegis_heal_state_store_up 1'),
        {
          timeout: 10_000,
          interval: 100,
        },
      );
      // This Redis keeps nothing on disk, so it came back empty: the healer refuses until
      // an operator puts the epoch marker back (redis-restart.test.ts has the details).
      await vi.waitFor(async () =>
        expect((await postHeal(h, body)).body.error).toBe('state_store_lost'),
      );
      await client.set('outage:epoch', epoch as string);
      await vi.waitFor(
        async () =>
          expect(await h.registry.getSingleMetricAsString('aegis_heal_state_store_lost')).toMatch(
            /^aegis_heal_state_store_lost 0$/m,
          ),
        { timeout: 10_000 },
      );
      // Alertmanager delivers the same notification again: now it is taken, and acted on once.
      const again = await postHeal(h, body);
      expect(again.status).toBe(202);
      await vi.waitFor(() =>
        expect(h.healer.status()).toMatchObject({ attempts: 1, verified_successes: 1 }),
      );
      expect((await postHeal(h, body)).body.decisions[0]).toMatchObject({
        decision: 'skipped',
        reason: 'duplicate',
      });
    } finally {
      await h.cleanup();
    }
  });
});
