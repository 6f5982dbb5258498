// Two healer replicas on a Redis that fails over (master, replica, three sentinels): the
// master is killed mid-traffic, and every episode is still acted on exactly once.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type SentinelRedis, startSentinelRedis } from '../../support/redis-sentinel.js';
import type { TestHealer } from '../../unit/heal/helpers.js';
import { notification, postHeal, startServiceHealer } from './helpers.js';

const EPISODES = 80;
const REFUSING_AT_MOST_MS = 30_000;
const POLICY = `
- name: count
  matchers: ['alertname="FleetHostDown"']
  action: exec
  target: '{{ $labels.instance }}'
  argv: ['/bin/true']
  cooldown: 0s
  max_attempts: 1
`;

let redis: SentinelRedis;
const healers: TestHealer[] = [];

beforeAll(async () => {
  redis = await startSentinelRedis();
  for (let i = 0; i < 2; i += 1) {
    healers.push(
      await startServiceHealer(
        {
          redis_sentinels: redis.sentinels,
          redis_sentinel_master: redis.masterName,
          allowed_commands: ['/bin/true'],
          backoff_initial: 0,
        },
        undefined,
        POLICY,
      ),
    );
  }
});
afterAll(async () => {
  await Promise.all(healers.map((h) => h.cleanup()));
  await redis?.stop();
});

async function started(healer: TestHealer): Promise<string[]> {
  const text = await readFile(join(healer.dir, 'audit.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { decision: string; target?: string })
    .filter((entry) => entry.decision === 'started')
    .map((entry) => entry.target as string);
}

describe('healer replicas on Redis through Sentinel', () => {
  it('acts once per episode across a master failover, answering 503 only while it lasts', async () => {
    let refusals = 0;
    let firstRefusal = 0;
    let lastRefusal = 0;
    // As Alertmanager does: each replica gets every notification, again until it answers
    // 2xx; a healer still refusing 30 s after the kill fails the test, saying why.
    const deliver = async (healer: TestHealer, body: object): Promise<void> => {
      for (;;) {
        const response = await postHeal(healer, body);
        if (response.status === 202) return;
        if (killedAt > 0 && Date.now() - killedAt > REFUSING_AT_MOST_MS) {
          throw new Error(
            `still ${response.status} ${REFUSING_AT_MOST_MS} ms after the master was killed ` +
              `(sentinels name port ${await redis.masterPort()}): ${JSON.stringify(response.body)}`,
          );
        }
        expect(response.status).toBe(503);
        refusals += 1;
        firstRefusal ||= Date.now();
        lastRefusal = Date.now();
        await new Promise((done) => setTimeout(done, 100));
      }
    };
    let killedAt = 0;
    const sends: Promise<void>[] = [];
    for (let i = 0; i < EPISODES; i += 1) {
      if (i === EPISODES / 2) {
        killedAt = Date.now();
        await redis.killMaster();
      }
      const body = notification([
        {
          labels: { alertname: 'FleetHostDown', instance: `host-${i}` },
          fingerprint: i.toString(16).padStart(16, '0'),
          startsAt: '2026-12-02T07:00:00.000Z',
        },
      ]);
      for (const healer of healers) sends.push(deliver(healer, body));
      await new Promise((done) => setTimeout(done, 50));
    }
    await Promise.all(sends);
    await vi.waitFor(
      async () => {
        const targets = (await Promise.all(healers.map(started))).flat();
        expect(new Set(targets).size).toBe(EPISODES);
      },
      { timeout: 30_000, interval: 200 },
    );
    const targets = (await Promise.all(healers.map(started))).flat().sort();
    // Every episode once: none lost, none doubled.
    expect(targets).toEqual(Array.from({ length: EPISODES }, (_, i) => `exec:host-${i}`).sort());
    // The outage was seen, and answered with 503 only around the failover.
    expect(refusals).toBeGreaterThan(0);
    expect(firstRefusal).toBeGreaterThanOrEqual(killedAt);
    console.log(
      `sentinel failover: 503 for ${((lastRefusal - firstRefusal) / 1000).toFixed(2)} s, ` +
        `${refusals} refusals, ${EPISODES} episodes acted once each`,
    );
  }, 90_000);
});
