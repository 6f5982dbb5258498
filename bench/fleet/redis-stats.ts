/**
 * The healer's load on Redis, from the servers' own counters: commands executed
 * (INFO commandstats, without the sentinels' and replication's own), and read events
 * (INFO stats total_reads_processed: one per batch a client sent, so about one per round
 * trip), with the idle rate of the sentinels' and the replica's chatter taken off.
 */
import type { Redis } from 'ioredis';

/** Commands that the sentinels, the replication link and this bench send, not the healer. */
const NOT_THE_HEALER = new Set([
  'ping',
  'info',
  'replconf',
  'psync',
  'sync',
  'publish',
  'subscribe',
  'client',
  'config',
  'role',
  'hello',
  'command',
  'slaveof',
  'replicaof',
]);

export interface RedisCounters {
  /** Healer commands by name. */
  commands: Map<string, number>;
  reads: number;
}

export async function redisCounters(client: Redis): Promise<RedisCounters> {
  const [commandstats, stats] = await Promise.all([
    client.info('commandstats'),
    client.info('stats'),
  ]);
  const commands = new Map<string, number>();
  for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    const name = (match[1] as string).toLowerCase();
    if (!NOT_THE_HEALER.has(name.split('|')[0] as string)) commands.set(name, Number(match[2]));
  }
  const reads = Number(/total_reads_processed:(\d+)/.exec(stats)?.[1] ?? Number.NaN);
  return { commands, reads };
}

/** `after` minus `before`, command by command. */
export function counterDelta(before: RedisCounters, after: RedisCounters): RedisCounters {
  const commands = new Map<string, number>();
  for (const [name, calls] of after.commands) {
    const delta = calls - (before.commands.get(name) ?? 0);
    if (delta > 0) commands.set(name, delta);
  }
  return { commands, reads: after.reads - before.reads };
}

export function addCounters(a: RedisCounters, b: RedisCounters): RedisCounters {
  const commands = new Map(a.commands);
  for (const [name, calls] of b.commands) commands.set(name, (commands.get(name) ?? 0) + calls);
  return { commands, reads: a.reads + b.reads };
}

export function totalCommands(counters: RedisCounters): number {
  let total = 0;
  for (const calls of counters.commands.values()) total += calls;
  return total;
}
