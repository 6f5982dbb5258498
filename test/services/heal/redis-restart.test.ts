// Redis killed and restarted under the healer: with the shipped compose settings
// (append-only file) mid-traffic, nothing is lost or done twice; restarted empty, the
// healer notices by the epoch marker and fails closed until an operator puts it back.
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestHealer } from '../../unit/heal/helpers.js';
import {
  type PersistentRedis,
  readRuns,
  startPersistentRedis,
  writeRecorder,
} from './crash-support.js';
import { notification, postHeal, startServiceHealer } from './helpers.js';

let redis: PersistentRedis;
beforeAll(async () => {
  redis = await startPersistentRedis();
});
afterAll(() => redis?.stop());

describe('Redis killed and restarted mid-traffic (appendonly yes)', () => {
  let h: TestHealer;
  afterAll(() => h?.cleanup());

  it('heals every episode exactly once', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'aegis-redis-traffic-'));
    const script = await writeRecorder(dir);
    const log = join(dir, 'actions.log');
    h = await startServiceHealer(
      {
        redis_url: redis.url,
        redis_key_prefix: 'traffic:',
        allowed_commands: [script],
        backoff_initial: 0,
        max_concurrent_actions: 6,
      },
      undefined,
      `- matchers: ['alertname="Record"']
  action: exec
  target: '{{ $labels.target }}'
  argv: ['${script}', '${log}', '{{ $labels.episode }}', '0.2']
  cooldown: 0s
  max_attempts: 1
`,
    );
    const TOTAL = 60;
    const bodies = Array.from({ length: TOTAL }, (_, i) =>
      notification([
        {
          labels: { alertname: 'Record', target: `t${i % 6}`, episode: `t${i % 6}-${i}` },
          fingerprint: `abad1dea${String(i).padStart(8, '0')}`,
        },
      ]),
    );
    // Alertmanager's behaviour: a notification not answered 2xx is delivered again.
    let refused = 0;
    const deliver = async (body: object): Promise<void> => {
      for (;;) {
        const response = await postHeal(h, body);
        if (response.status === 202) return;
        expect(response.status).toBe(503);
        refused += 1;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    };
    const sending = (async () => {
      for (const body of bodies) {
        await deliver(body);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await vi.waitFor(async () => expect((await readRuns(log)).length).toBeGreaterThan(10), {
      timeout: 30_000,
      interval: 50,
    });
    await redis.killAndRestart();
    await sending;
    await vi.waitFor(
      async () =>
        expect((await readRuns(log)).filter((run) => run.end !== undefined)).toHaveLength(TOTAL),
      { timeout: 60_000, interval: 200 },
    );
    // And everything once more, as repeat_interval would: all duplicates.
    for (const body of bodies) {
      const again = await postHeal(h, body);
      expect(again.body.decisions[0]).toMatchObject({ decision: 'skipped', reason: 'duplicate' });
    }
    const runs = await readRuns(log);
    const episodes = new Set(runs.map((run) => run.episode));
    const duplicates = runs.length - episodes.size;
    const lost = TOTAL - episodes.size;
    console.log(
      `[redis restart, appendonly] episodes ${TOTAL}, actions ${runs.length}, ` +
        `503s during the outage ${refused}, duplicates ${duplicates}, lost ${lost}`,
    );
    expect({ duplicates, lost }).toEqual({ duplicates: 0, lost: 0 });
    expect(refused).toBeGreaterThan(0);
  });
});

describe('Redis restarted empty', () => {
  it('answers 503 state_store_lost, reports /healthz degraded, and resumes once the epoch marker is back', async () => {
    const h = await startServiceHealer(
      { redis_url: redis.url, redis_key_prefix: 'epoch-test:', allowed_commands: ['/bin/true'] },
      undefined,
      `- matchers: ['alertname="RunTrue"']\n  action: exec\n  target: t\n  argv: ['/bin/true']\n`,
    );
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    const lostGauge = () => h.registry.getSingleMetricAsString('aegis_heal_state_store_lost');
    try {
      const body = notification([{ labels: { alertname: 'RunTrue' } }]);
      expect((await postHeal(h, body)).status).toBe(202);
      await vi.waitFor(() => expect(h.healer.status().unverified).toBe(1));
      const epoch = await client.get('epoch-test:epoch');
      expect(epoch).toMatch(/^[0-9a-f-]{36}$/);

      await redis.restartEmpty();
      await vi.waitFor(
        async () => expect(await lostGauge()).toMatch(/^aegis_heal_state_store_lost 1$/m),
        {
          timeout: 15_000,
          interval: 100,
        },
      );
      const refused = await postHeal(h, body);
      expect(refused.status).toBe(503);
      expect(refused.body.error).toBe('state_store_lost');
      expect(h.healer.health()).toEqual({
        healthy: false,
        reason: 'healer degraded: state_store_lost',
      });
      const logged = h.lines.find((line) => line.event === 'heal_state_store_lost');
      expect(logged?.msg).toContain(`resume with: redis-cli SET 'epoch-test:epoch' '${epoch}'`);
      expect(h.healer.status().attempts).toBe(1);

      // The operator accepts that repeats may happen and puts the marker back.
      await client.set('epoch-test:epoch', epoch as string);
      await vi.waitFor(
        async () => expect(await lostGauge()).toMatch(/^aegis_heal_state_store_lost 0$/m),
        {
          timeout: 10_000,
          interval: 100,
        },
      );
      expect(h.healer.health()).toEqual({ healthy: true });
      expect((await postHeal(h, body)).status).toBe(202);
    } finally {
      client.disconnect();
      await h.cleanup();
    }
  });
});
