/**
 * bench:fleet — the healer tier at fleet scale, real processes on loopback: a 3-member
 * Alertmanager cluster (gossip, the shipped routing with its intervals scaled 1/15), 3
 * healer replicas on a Redis that fails over (master, replica, 3 sentinels), and a
 * generator playing an HA pair of Prometheus servers for 1,000 hosts that sends every
 * alert to all three Alertmanagers: ordinary failures, flapping hosts, and two racks
 * failing at once. Midway the Redis master is killed.
 *
 * It prints alerts per second handled, notification-to-action delays, actions against
 * episodes (duplicates, lost), Redis commands and round trips per alert, and CPU and
 * memory per replica.
 *
 *   npm run bench:fleet [-- --hosts 1000 --duration 4m --failures 6 --no-failover --seed 1 --details]
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDurationSeconds } from '../src/config/duration.js';
import { type AlertmanagerServer, startAlertmanager } from '../test/support/alertmanager.js';
import { freeLoopbackPorts } from '../test/support/ports.js';
import { type SentinelRedis, startSentinelRedis } from '../test/support/redis-sentinel.js';
import { accountEpisodes } from './fleet/accounting.js';
import { planFleet } from './fleet/episodes.js';
import { runPrometheusPair } from './fleet/prometheus-pair.js';
import {
  addCounters,
  counterDelta,
  type RedisCounters,
  redisCounters,
  totalCommands,
} from './fleet/redis-stats.js';
import { HEAL_TOKEN, type Replica, startReplica } from './fleet/replicas.js';
import { processCpuSeconds } from './support/process-cpu.js';
import { residentMemory } from './support/process-memory.js';
import { quantile } from './support/stats.js';

const REPLICAS = 3;
const ALERTMANAGERS = 3;
/** Audit decisions that end an attempt rather than decide on an alert. */
const OUTCOMES = ['succeeded', 'failed', 'unverified', 'cancelled'];
/** After the last alert: time for retries and queued actions to finish. */
const DRAIN_MS = 20_000;

interface Options {
  hosts: number;
  durationMs: number;
  failuresPerHostHour: number;
  failover: boolean;
  seed: number;
  /** Print each duplicated or lost episode's audit trail. */
  details: boolean;
}

function parseOptions(args: string[]): Options {
  const value = (name: string): string | undefined => {
    const index = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
    if (index === -1) return undefined;
    const arg = args[index] as string;
    return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[index + 1];
  };
  const duration = parseDurationSeconds(value('duration') ?? '4m');
  if (duration === undefined) throw new Error(`--duration: not a duration: ${value('duration')}`);
  return {
    hosts: Number(value('hosts') ?? 1000),
    durationMs: duration * 1000,
    failuresPerHostHour: Number(value('failures') ?? 6),
    failover: !args.includes('--no-failover'),
    seed: Number(value('seed') ?? 1),
    details: args.includes('--details'),
  };
}

/** The `humans` receiver: counts what reaches people, so Alertmanager has somewhere to send. */
async function startHumansSink(): Promise<{
  url: string;
  server: Server;
  notifications: () => number;
}> {
  let notifications = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      notifications += 1;
      response.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server, notifications: () => notifications };
}

/** Polls each replica's aegis_heal_state_store_up; returns the ms during which any reported 0. */
function watchStoreDown(replicas: Replica[], signal: AbortSignal): Promise<number> {
  return (async () => {
    let downMs = 0;
    let last = Date.now();
    while (!signal.aborted) {
      await new Promise((done) => setTimeout(done, 100));
      const states = await Promise.all(
        replicas.map(async (replica) => {
          try {
            const text = await (
              await fetch(`${replica.url}/metrics`, { signal: AbortSignal.timeout(2_000) })
            ).text();
            return /^aegis_heal_state_store_up(?:\{[^}]*\})? 1$/m.test(text);
          } catch {
            return false;
          }
        }),
      );
      const now = Date.now();
      if (states.some((up) => !up)) downMs += now - last;
      last = now;
    }
    return downMs;
  })();
}

const fmt = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
  const cli = join(root, 'dist', 'cli.js');
  const plan = planFleet({
    hosts: options.hosts,
    durationMs: options.durationMs,
    failuresPerHostHour: options.failuresPerHostHour,
    seed: options.seed,
  });
  console.log(
    `bench:fleet: ${options.hosts} hosts, ${(options.durationMs / 60_000).toFixed(1)} min, ` +
      `${plan.episodes.length} episodes planned, Redis failover ${options.failover ? 'midway' : 'off'}`,
  );

  let redis: SentinelRedis | undefined;
  const replicas: Replica[] = [];
  const alertmanagers: AlertmanagerServer[] = [];
  let humans: Awaited<ReturnType<typeof startHumansSink>> | undefined;
  try {
    redis = await startSentinelRedis();
    const store = { redis_sentinels: redis.sentinels, redis_sentinel_master: redis.masterName };
    for (let i = 0; i < REPLICAS; i += 1) replicas.push(await startReplica(i, cli, store));
    humans = await startHumansSink();
    const gossip = (await freeLoopbackPorts(ALERTMANAGERS)).map((port) => `127.0.0.1:${port}`);
    for (let i = 0; i < ALERTMANAGERS; i += 1) {
      alertmanagers.push(
        await startAlertmanager({
          // Each member notifies its own replica: every replica hears every episode
          // that more than one member notifies.
          healUrls: [`${(replicas[i] as Replica).url}/heal`],
          humansUrl: humans.url,
          token: HEAL_TOKEN,
          cluster: {
            listenAddress: gossip[i] as string,
            peers: gossip.filter((_, j) => j !== i),
          },
        }),
      );
    }
    console.log(
      'tier up: 3 Alertmanagers (cluster), 3 healer replicas, Redis + replica + 3 sentinels',
    );

    const [firstMaster] = redis.ports as [number, number];
    const masterClient = redis.client(firstMaster);
    const replicaClient = redis.client(redis.ports[1] as number);
    // The chatter of sentinels and replication while the healers are idle.
    const idleStart = await redisCounters(masterClient);
    await new Promise((done) => setTimeout(done, 5_000));
    const idleEnd = await redisCounters(masterClient);
    const idleReadsPerSecond = (idleEnd.reads - idleStart.reads) / 5;
    const masterStart = await redisCounters(masterClient);
    const cpuStart = replicas.map((r) => processCpuSeconds(r.pid));

    const t0 = Date.now() + 1_000;
    const stopWatching = new AbortController();
    const storeDown = watchStoreDown(replicas, stopWatching.signal);
    const generator = runPrometheusPair(
      plan,
      alertmanagers.map((am) => am.url),
      t0,
    );
    let failover: { killedAtMs: number; promotedAfterMs: number } | undefined;
    let beforeKill: { master: RedisCounters; replica: RedisCounters } | undefined;
    if (options.failover) {
      await new Promise((done) => setTimeout(done, t0 + options.durationMs / 2 - Date.now()));
      beforeKill = {
        master: await redisCounters(masterClient),
        replica: await redisCounters(replicaClient),
      };
      const killedAt = Date.now();
      const killed = await redis.killMaster();
      await redis.waitForFailover(killed);
      failover = { killedAtMs: killedAt - t0, promotedAfterMs: Date.now() - killedAt };
      console.log(
        `failover: master on port ${killed} killed at +${fmt(failover.killedAtMs / 1000)} s, ` +
          `replica promoted after ${fmt(failover.promotedAfterMs / 1000)} s`,
      );
      await redis.restart(killed);
    }
    const pair = await generator;
    await new Promise((done) => setTimeout(done, DRAIN_MS));
    stopWatching.abort();
    const downMs = await storeDown;
    const trafficSeconds = (Date.now() - t0) / 1000;
    const cpu = replicas.map((r, i) => processCpuSeconds(r.pid) - (cpuStart[i] as number));
    const memory = replicas.map((r) => residentMemory(r.pid));

    // Redis: the first master until the kill, then the promoted one (whose counters also
    // hold what it replicated before: taken off).
    let counters: RedisCounters;
    if (beforeKill) {
      const promoted = redis.client(await redis.masterPort());
      const end = await redisCounters(promoted);
      counters = addCounters(
        counterDelta(masterStart, beforeKill.master),
        counterDelta(beforeKill.replica, end),
      );
    } else {
      counters = counterDelta(masterStart, await redisCounters(masterClient));
    }
    const healerReads = counters.reads - idleReadsPerSecond * trafficSeconds;

    const account = accountEpisodes(
      plan,
      t0,
      replicas.map((r) => r.audit()),
    );
    const logs = replicas.flatMap((r) => r.log());
    const dispatch = logs
      .filter(
        (line) => line.event === 'heal_action_started' && line.dispatch_delay_ms !== undefined,
      )
      .map((line) => line.dispatch_delay_ms as number);
    const decisions = Object.entries(account.reasons)
      .filter(([key]) => !OUTCOMES.some((outcome) => key.startsWith(outcome)))
      .reduce((sum, [, n]) => sum + n, 0);

    const lines: string[] = [];
    const row = (name: string, value: string) => lines.push(`  ${name.padEnd(52)} ${value}`);
    lines.push('', '== bench:fleet report ==');
    lines.push(
      `fleet: ${options.hosts} hosts, ${plan.episodes.length} episodes in ${fmt(options.durationMs / 1000, 0)} s ` +
        `(${Object.entries(account.byKind)
          .map(([kind, k]) => `${kind} ${k.episodes}`)
          .join(', ')}); HA pair evaluating every 1 s (15 s scaled 1/15)`,
    );
    lines.push('throughput:');
    row(
      'alerts posted to Alertmanagers (per s)',
      fmt(pair.alertsPosted / (options.durationMs / 1000)),
    );
    row('  posts / failed posts', `${pair.posts} / ${pair.failedPosts}`);
    row(
      'healer decisions on alerts (per s, all replicas)',
      fmt(decisions / (options.durationMs / 1000)),
    );
    row('notifications reaching people (humans receiver)', String(humans.notifications()));
    lines.push('latency:');
    row(
      'notification to action start, p50 / p99 (ms)',
      `${fmt(quantile(dispatch, 0.5), 2)} / ${fmt(quantile(dispatch, 0.99), 2)}`,
    );
    row(
      'episode start to action start, p50 / p99 (s)',
      `${fmt(quantile(account.startToActionMs, 0.5) / 1000, 2)} / ${fmt(quantile(account.startToActionMs, 0.99) / 1000, 2)}` +
        ' (evaluation, group_wait, gossip wait)',
    );
    lines.push('exactly once:');
    row(
      'episodes / acted / actions',
      `${account.episodes} / ${account.episodes - account.lost} / ${account.actions}`,
    );
    row(
      'duplicates (episodes acted twice; extra actions)',
      `${account.duplicates}; ${account.extraActions}`,
    );
    row('lost (episodes never acted on)', String(account.lost));
    row('stray actions (no planned episode)', String(account.strays));
    for (const [kind, k] of Object.entries(account.byKind))
      row(
        `  ${kind}`,
        `${k.episodes} episodes, ${k.acted} acted, ${k.duplicates} duplicated, ${k.lost} lost`,
      );
    row(
      'decisions by reason',
      Object.entries(account.reasons)
        .map(([r, n]) => `${r} ${n}`)
        .join(', '),
    );
    if (failover) {
      row('Redis failover: promoted after (s)', fmt(failover.promotedAfterMs / 1000, 2));
      row('  time a replica reported its store down (s)', fmt(downMs / 1000, 2));
    }
    lines.push('Redis:');
    row('commands per alert decision', fmt(totalCommands(counters) / decisions, 2));
    row(
      '  by command',
      [...counters.commands]
        .sort((a, b) => b[1] - a[1])
        .map(([c, n]) => `${c} ${n}`)
        .join(', '),
    );
    row('round trips per alert decision (≈ read events)', fmt(healerReads / decisions, 2));
    lines.push('replicas:');
    replicas.forEach((r, i) =>
      row(
        `replica ${i}: CPU (% of a core) / RSS / peak RSS (MiB)`,
        `${fmt((100 * (cpu[i] as number)) / trafficSeconds)} / ${fmt(memory[i]!.rssBytes / 2 ** 20)} / ${fmt(memory[i]!.peakBytes / 2 ** 20)}`,
      ),
    );
    if (options.details) {
      lines.push("duplicated and lost episodes, with their hosts' audit entries around them:");
      for (const { episode, problem, entries } of account.anomalies) {
        lines.push(
          `  ${problem}: host ${episode.host} (${episode.kind}) +${fmt(episode.startMs / 1000, 2)} s to +${fmt(episode.endMs / 1000, 2)} s`,
        );
        for (const e of entries)
          lines.push(
            `    replica ${e.replica} +${fmt((Date.parse(e.time) - t0) / 1000, 2)} s ${e.decision}${e.reason ? `:${e.reason}` : ''} starts_at +${fmt((Date.parse(e.starts_at) - t0) / 1000, 2)} s ${e.fingerprint}`,
          );
      }
    }
    lines.push('targets:');
    const pass = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    row('duplicates 0', pass(account.duplicates === 0));
    row('lost 0', pass(account.lost === 0));
    console.log(lines.join('\n'));
    process.exitCode = account.duplicates === 0 && account.lost === 0 ? 0 : 1;
  } finally {
    await Promise.all(alertmanagers.map((am) => am.stop()));
    await Promise.all(replicas.map((r) => r.stop()));
    humans?.server.close();
    await redis?.stop();
  }
}

await main();
