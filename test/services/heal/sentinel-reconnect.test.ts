// The healing state store on Redis through Sentinel comes back by itself after the two
// faults that once left it down for good: a +switch-master that arrives while it is
// reconnecting, and a sentinel that accepts connections but never answers. A proxy in
// front of one sentinel (test/support/held-proxy.ts) holds its answers at the chosen
// moment; the Redis servers and sentinels are real.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisStateStore } from '../../../src/heal/state/redis-state-store.js';
import { type HeldProxy, startHeldProxy } from '../../support/held-proxy.js';
import { type SentinelRedis, startSentinelRedis } from '../../support/redis-sentinel.js';

const PREFIX = 'aegis-reconnect:';

let redis: SentinelRedis;
let proxy: HeldProxy | undefined;
let store: RedisStateStore | undefined;

beforeAll(async () => {
  redis = await startSentinelRedis();
});
afterEach(async () => {
  await store?.close();
  await proxy?.stop();
});
afterAll(async () => {
  await redis?.stop();
});

/** A store that knows only the proxied sentinel at first, as one sentinel address would be configured. */
async function connectThroughProxy(commandTimeoutMs: number): Promise<RedisStateStore> {
  const sentinelPort = Number(redis.sentinels[0]?.split(':')[1]);
  proxy = await startHeldProxy(sentinelPort);
  store = new RedisStateStore({
    connection: { sentinels: [proxy.address], masterName: redis.masterName },
    prefix: PREFIX,
    commandTimeoutMs,
    auditStreamMaxLen: 100,
    targetTtlMs: 60_000,
    waitReplicas: 0,
  });
  await store.connect();
  const connected = store;
  await vi.waitFor(() => connected.set('before', '1', 60_000), { timeout: 10_000, interval: 100 });
  return connected;
}

/** Drops every normal client of the master, the store's connection among them. */
async function dropClientsOfMaster(): Promise<void> {
  await redis.client(await redis.masterPort()).call('CLIENT', 'KILL', 'TYPE', 'normal');
}

describe('the Redis state store through Sentinel', () => {
  it('passes over a sentinel that accepts but never answers, after the command timeout', async () => {
    const connected = await connectThroughProxy(1_000);
    proxy?.hold();
    await dropClientsOfMaster();

    // The reconnect asks the held sentinel first, gives up on it after 1 s, asks the next.
    await vi.waitFor(() => connected.set('after', '1', 60_000), { timeout: 10_000, interval: 100 });
    expect(proxy?.held()).toBeGreaterThan(0);
    expect(await redis.client(await redis.masterPort()).get(`${PREFIX}after`)).toBe('1');
  });

  it('comes back when the master switches while it is reconnecting', async () => {
    const connected = await connectThroughProxy(15_000);
    const oldMaster = await redis.masterPort();
    const sentinel = redis.client(Number(redis.sentinels[1]?.split(':')[1]));
    // The store's failover detector: its subscription to +switch-master on this sentinel.
    const subscribers = async () =>
      ((await sentinel.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string)
        .split('\n')
        .filter((line) => line.trim() !== '').length;
    await vi.waitFor(async () => expect(await subscribers()).toBe(1), { timeout: 5_000 });
    proxy?.hold();
    await dropClientsOfMaster();
    // The store is now reconnecting: it asked the held sentinel for the master.
    await vi.waitFor(() => expect(proxy?.held()).toBeGreaterThan(0), { timeout: 5_000 });

    await sentinel.call('SENTINEL', 'FAILOVER', redis.masterName);
    const newMaster = await redis.waitForFailover(oldMaster);
    // The detector heard +switch-master and closed its subscriptions, under the pending
    // reconnect; only then does the held answer arrive, as in the race.
    await vi.waitFor(async () => expect(await subscribers()).toBe(0), { timeout: 5_000 });
    proxy?.release();

    await vi.waitFor(() => connected.set('after', '1', 60_000), { timeout: 10_000, interval: 100 });
    const master = redis.client(newMaster);
    expect(await master.get(`${PREFIX}after`)).toBe('1');
    expect(await master.get(`${PREFIX}before`)).toBe('1');
  });
});
