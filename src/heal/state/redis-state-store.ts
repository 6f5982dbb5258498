/**
 * The shared state store for several healer replicas: one Redis. Claims and locks are
 * atomic leases (a Lua script sets, renews or refuses them), a lock is released only by
 * its owner (a compare-and-delete script), and target state is written only under the
 * target's lock.
 *
 * Commands are never queued or re-sent while Redis is away: a claim re-sent after a
 * reconnect could be answered "already set" for our own earlier write and lose an
 * action, and a queued one would hold a webhook request open. They fail at once instead,
 * and the webhook answers 503 so Alertmanager delivers again later.
 *
 * ioredis is loaded by connect(), so an agent without Redis configured never loads it
 * (about 150 ms of start-up, docs/benchmarks.md#npm-run-benchagent).
 */
import type { Redis, RedisOptions } from 'ioredis';
import { StateStoreUnavailableError } from '../errors.js';
import {
  EMPTY_TARGET_STATE,
  type EpisodeRecord,
  type StateStore,
  type TargetState,
} from './state-store.js';

const DELETE_IF_EQUAL = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
// Ours: extend it. Expired: take it again. Someone else's: lost (0).
const RENEW = `local v = redis.call('get', KEYS[1])
if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return 1 end
if v == false then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
// Closes the attempt in progress as interrupted (if it is the one named, when one is) and
// answers how many of the episode's attempts were interrupted.
const INTERRUPT = `local open = redis.call('hget', KEYS[1], 'open')
if open and (ARGV[1] == '' or string.find(open, ARGV[1], 1, true)) then
  redis.call('hdel', KEYS[1], 'open')
  local n = redis.call('hincrby', KEYS[1], 'interrupted', 1)
  redis.call('pexpire', KEYS[1], ARGV[2])
  return n
end
return tonumber(redis.call('hget', KEYS[1], 'interrupted') or '0')`;

/** The key, after the prefix, of the epoch marker. */
const EPOCH = 'epoch';

/** Milliseconds before reconnect attempt `times`: at most every 2 s, for as long as the healer runs. */
const reconnectDelayMs = (times: number): number => Math.min(times * 100, 2_000);

export interface RedisStateStoreOptions {
  /** One Redis (`redis://…`), or the sentinels that name the current master. */
  connection: { url: string } | { sentinels: string[]; masterName: string };
  prefix: string;
  commandTimeoutMs: number;
  auditStreamMaxLen: number;
  /** Target hashes expire this long after their last write. */
  targetTtlMs: number;
  /**
   * Replicas that must have each write before it counts (WAIT): a claim, a lock or an
   * episode's end that only the master had would be gone after a failover. 0: none.
   */
  waitReplicas: number;
  /** Told when the connection comes up or goes down. */
  onStateChange?: (up: boolean) => void;
}

export class RedisStateStore implements StateStore {
  readonly kind = 'redis';
  readonly #options: RedisStateStoreOptions;
  #client: Redis | undefined;
  #closed = false;
  /** Ends of the connection this store did not ask for, since it was last ready. */
  #unaskedEnds = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  readonly #prefix: string;
  readonly #auditMaxLen: number;
  readonly #targetTtlMs: number;
  readonly #waitReplicas: number;
  readonly #waitMs: number;
  #replicas = 0;
  #replicasReadAt = 0;

  constructor(options: RedisStateStoreOptions) {
    this.#options = options;
    this.#waitReplicas = options.waitReplicas;
    this.#waitMs = Math.max(1, Math.ceil(options.commandTimeoutMs));
    this.#prefix = options.prefix;
    this.#targetTtlMs = Math.max(1, Math.ceil(options.targetTtlMs));
    this.#auditMaxLen = options.auditStreamMaxLen;
  }

  /**
   * Loads ioredis and starts connecting; a Redis that is down now is retried in the
   * background, not fatal.
   */
  async connect(): Promise<void> {
    const { Redis } = await import('ioredis');
    if (this.#closed || this.#client) return;
    const options = this.#options;
    const { connection } = options;
    const connectTimeoutMs = Math.max(options.commandTimeoutMs, 1_000);
    const settings: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: connectTimeoutMs,
      retryStrategy: reconnectDelayMs,
    };
    const client =
      'url' in connection
        ? new Redis(connection.url, settings)
        : new Redis({
            ...settings,
            sentinels: connection.sentinels.map((address) => {
              const at = address.lastIndexOf(':');
              return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
            }),
            name: connection.masterName,
            // Subscribes to the sentinels' +switch-master: a failover reconnects at once.
            failoverDetector: true,
            sentinelRetryStrategy: reconnectDelayMs,
            // A sentinel that accepts but never answers would hold every reconnect. The
            // timer runs from before the connect, so it is the connect's timeout.
            sentinelCommandTimeout: connectTimeoutMs,
          });
    // Errors surface through the commands that fail; without a listener ioredis would print them.
    client.on('error', () => undefined);
    client.on('ready', () => {
      this.#unaskedEnds = 0;
      options.onStateChange?.(true);
    });
    client.on('close', () => options.onStateChange?.(false));
    // ioredis 5 gives a Sentinel client up for good when a +switch-master arrives while
    // it is reconnecting (its failover detector closes the connector under the pending
    // connect): an end this store did not ask for is followed by a new connect.
    client.on('end', () => {
      if (this.#closed) return;
      this.#unaskedEnds += 1;
      this.#reconnectTimer = setTimeout(
        () => void client.connect().catch(() => undefined),
        reconnectDelayMs(this.#unaskedEnds),
      );
    });
    this.#client = client;
    await client.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#client?.disconnect();
  }

  /** Runs a command on the connection; any failure is the store being unavailable. */
  async #run<T>(what: string, command: (client: Redis) => Promise<T>): Promise<T> {
    try {
      if (this.#client === undefined) throw new Error('not connected');
      return await command(this.#client);
    } catch (error) {
      throw new StateStoreUnavailableError(
        `state store (Redis) unavailable during ${what}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /**
   * Runs a write, then, when `wrote` says it wrote, waits until `waitReplicas` replicas
   * have every write made so far on this connection (WAIT); rejects as unavailable when
   * they do not within the command timeout. The write stays on the master: a lease is
   * taken back by its holder, a delete or an end written again.
   */
  async #write<T>(
    what: string,
    command: (client: Redis) => Promise<T>,
    wrote: (reply: T) => boolean = () => true,
  ): Promise<T> {
    const reply = await this.#run(what, command);
    if (this.#waitReplicas === 0 || !wrote(reply)) return reply;
    const needed = Math.min(this.#waitReplicas, await this.#connectedReplicas());
    if (needed === 0) return reply;
    const acked = await this.#run(`WAIT after ${what}`, (client) =>
      client.wait(needed, this.#waitMs),
    );
    if (acked < needed)
      throw new StateStoreUnavailableError(
        `state store (Redis) unavailable during ${what}: ${acked} of ${needed} replicas have it after ${this.#waitMs} ms`,
      );
    return reply;
  }

  /**
   * The master's connected replicas, read at most once a second. A master left without
   * any (its only replica promoted, the old master not yet back) cannot fail over
   * either, so the healer goes on with it rather than refuse all work.
   */
  async #connectedReplicas(): Promise<number> {
    const now = Date.now();
    if (now - this.#replicasReadAt > 1_000) {
      const info = await this.#run('INFO replication', (client) => client.info('replication'));
      this.#replicas = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0);
      this.#replicasReadAt = now;
    }
    return this.#replicas;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#write('SET', (client) =>
      client.set(this.#prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs))),
    );
  }

  async exists(key: string): Promise<boolean> {
    return (await this.#run('EXISTS', (client) => client.exists(this.#prefix + key))) === 1;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#run('GET', (client) => client.get(this.#prefix + key))) ?? undefined;
  }

  async renew(key: string, value: string, ttlMs: number): Promise<boolean> {
    const reply = await this.#write(
      'lease renewal',
      (client) => client.eval(RENEW, 1, this.#prefix + key, value, Math.max(1, Math.ceil(ttlMs))),
      // A lease lost to another holder wrote nothing to wait for.
      (renewed) => renewed === 1,
    );
    return reply === 1;
  }

  async delete(key: string): Promise<void> {
    await this.#write('DEL', (client) => client.del(this.#prefix + key));
  }

  async deleteIfEqual(key: string, value: string): Promise<void> {
    await this.#write('compare-and-delete', (client) =>
      client.eval(DELETE_IF_EQUAL, 1, this.#prefix + key, value),
    );
  }

  async getTarget(target: string): Promise<TargetState> {
    const hash = await this.#run('HGETALL', (client) =>
      client.hgetall(`${this.#prefix}target:${target}`),
    );
    const state = { ...EMPTY_TARGET_STATE };
    for (const field of Object.keys(state) as (keyof TargetState)[]) {
      const raw = hash[field];
      if (raw !== undefined) state[field] = Number(raw);
    }
    return state;
  }

  async putTarget(target: string, state: TargetState): Promise<void> {
    const circuits = `${this.#prefix}circuits`;
    const key = `${this.#prefix}target:${target}`;
    await this.#write('MULTI target state', (client) => {
      const multi = client
        .multi()
        .hset(key, { ...state })
        .pexpire(key, this.#targetTtlMs)
        // Circuits closed by time, whose targets may have expired since, leave the index.
        .zremrangebyscore(circuits, '-inf', Date.now());
      if (state.circuit_open_until_ms > 0)
        multi.zadd(circuits, state.circuit_open_until_ms, target);
      else multi.zrem(circuits, target);
      return multi.exec();
    });
  }

  async openCircuits(nowMs: number): Promise<string[]> {
    return this.#run('ZRANGEBYSCORE', (client) =>
      client.zrangebyscore(`${this.#prefix}circuits`, `(${nowMs}`, '+inf'),
    );
  }

  #journalKey(episode: string): string {
    return `${this.#prefix}journal:${episode}`;
  }

  async openAttempt(episode: string, startedJson: string, ttlMs: number): Promise<void> {
    const key = this.#journalKey(episode);
    await this.#write('journal start', (client) =>
      client.multi().hset(key, 'open', startedJson).pexpire(key, Math.ceil(ttlMs)).exec(),
    );
  }

  async closeAttempt(episode: string, final: boolean, ttlMs: number): Promise<void> {
    const key = this.#journalKey(episode);
    await this.#write('journal end', (client) => {
      const multi = client.multi().hdel(key, 'open');
      if (final) multi.hset(key, 'done', '1');
      return multi.pexpire(key, Math.ceil(ttlMs)).exec();
    });
  }

  async interruptAttempt(episode: string, id: string | undefined, ttlMs: number): Promise<number> {
    const reply = await this.#write('journal interruption', (client) =>
      client.eval(
        INTERRUPT,
        1,
        this.#journalKey(episode),
        id === undefined ? '' : `"id":"${id}"`,
        Math.ceil(ttlMs),
      ),
    );
    return Number(reply);
  }

  async readEpisode(episode: string): Promise<EpisodeRecord> {
    const hash = await this.#run('HGETALL journal', (client) =>
      client.hgetall(this.#journalKey(episode)),
    );
    const record: EpisodeRecord = {
      interrupted: Number(hash.interrupted ?? 0),
      done: hash.done === '1',
    };
    if (hash.open !== undefined) record.open = hash.open;
    return record;
  }

  /** The key of the epoch marker: a random value set once in an empty Redis. */
  get epochKey(): string {
    return this.#prefix + EPOCH;
  }

  /**
   * Sets the epoch marker to `candidate` if there is none. A Redis that comes back without
   * it (or with another) lost the healer's episodes. Resolves to the marker now in Redis.
   */
  async claimEpoch(candidate: string): Promise<string> {
    const key = this.epochKey;
    return this.#run('epoch', async (client) => {
      await client.set(key, candidate, 'NX');
      return (await client.get(key)) ?? candidate;
    });
  }

  async readEpoch(): Promise<string | undefined> {
    return this.get(EPOCH);
  }

  /** Appends an audit entry, as JSON, to the capped audit stream shared by the replicas. */
  async appendAudit(json: string): Promise<void> {
    await this.#run('XADD', (client) =>
      client.xadd(`${this.#prefix}audit`, 'MAXLEN', '~', this.#auditMaxLen, '*', 'entry', json),
    );
  }
}
