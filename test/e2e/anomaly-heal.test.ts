// Scenario 2: a probed endpoint turns slow; the detector's onset fires
// AegisAnomalyDetected in Prometheus; Alertmanager delivers it to /heal; the shipped
// policy's action for it, a cache flush, runs against a real Redis.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy, selectRules } from '../../src/heal/policy/policy.js';
import { type RedisServer, startRedis } from '../support/redis.js';
import type { AgentProcess } from './support/agent.js';
import { watchAlerts } from './support/alert-watch.js';
import { eventually } from './support/eventually.js';
import { SHIPPED_POLICY, type Stack, startStack } from './support/stack.js';

const TARGET = 'api';
const SERIES = 'probe_duration_seconds';
/** The labels the shipped rule gives the alert, as the policy will see them. */
const ALERT_LABELS = {
  alertname: 'AegisAnomalyDetected',
  series: SERIES,
  target: TARGET,
  severity: 'warning',
};

let redis: RedisServer | undefined;
let stack: Stack | undefined;
let api: Server | undefined;
let delayMs = 0;
/** The cache the shipped policy flushes on this alert; undefined if it has no such rule. */
let cacheName: string | undefined;

beforeAll(async () => {
  redis = await startRedis();
  const seed = new Redis(redis.url);
  try {
    for (let index = 0; index < 20; index += 1) await seed.set(`cache:${index}`, 'stale');
    for (let index = 0; index < 5; index += 1) await seed.set(`session:${index}`, 'keep');
  } finally {
    seed.disconnect();
  }
  // The endpoint answers at once until the test makes it slow.
  api = createServer((_req, res) => {
    setTimeout(() => res.end('ok\n'), delayMs);
  });
  await new Promise<void>((resolve) => api?.listen(0, '127.0.0.1', resolve));
  const port = (api.address() as AddressInfo).port;

  const policy = await loadPolicy(SHIPPED_POLICY);
  const rule = selectRules(policy, {
    instance: 'any',
    job: 'aegis-sentinel',
    ...ALERT_LABELS,
  }).find((candidate) => candidate.action === 'cache_flush');
  cacheName = rule?.target;
  const redisUrl = redis.url;
  stack = await startStack({
    agents: [
      () => ({
        monitoring: {
          api_endpoints: [{ url: `http://127.0.0.1:${port}/`, name: TARGET, timeout: 2 }],
          enable_container_monitoring: false,
        },
        // A short warm-up; the detectors' thresholds are the shipped defaults.
        detection: { min_samples_for_detection: 20 },
        recovery: {
          enable_local_alerts: false,
          caches: cacheName ? { [cacheName]: { url: redisUrl, pattern: 'cache:*' } } : {},
        },
      }),
    ],
  });
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => (api ? api.close(resolve) : resolve(undefined)));
  await redis?.stop();
});

const live = (): Stack => stack as Stack;
const agent = (): AgentProcess => live().agents[0] as AgentProcess;

describe('an endpoint that turns slow', () => {
  it('fires the anomaly alert, and the policy flushes the cache', async () => {
    const prom = live().prometheus;
    await eventually(
      'the detector has warmed up on the endpoint latency',
      async () =>
        (await prom.query('aegis_detector_ready{detector="range"} == 1')).length === 1
          ? true
          : undefined,
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const watch = watchAlerts(
      live(),
      (labels) => labels.series === SERIES && labels.target === TARGET,
    );
    try {
      delayMs = 400;
      await eventually(
        'AegisAnomalyDetected fires for the latency and reaches the healer',
        async () =>
          watch.sightings.firing.has('AegisAnomalyDetected') &&
          watch.sightings.routed.get('AegisAnomalyDetected')?.includes('aegis-heal')
            ? true
            : undefined,
        { timeoutMs: 30_000 },
      );
      const fingerprint = watch.sightings.fingerprints.get('AegisAnomalyDetected');

      expect(cacheName, 'examples/policy.yml has a cache_flush rule for this alert').toBeDefined();
      const flush = await eventually('the agent flushes the cache', async () =>
        (await agent().audit()).find(
          (entry) =>
            entry.fingerprint === fingerprint &&
            entry.action === 'cache_flush' &&
            // The example rule has no verify_command: the flush is done, not verified.
            entry.decision === 'unverified',
        ),
      );
      expect(flush.target).toContain(cacheName);
      const check = new Redis((redis as RedisServer).url);
      try {
        expect(await check.keys('cache:*')).toEqual([]);
        expect((await check.keys('session:*')).sort()).toHaveLength(5);
      } finally {
        check.disconnect();
      }
    } finally {
      delayMs = 0;
      await watch.stop();
    }
  });
});
