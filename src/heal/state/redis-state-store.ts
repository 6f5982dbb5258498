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
 */
import { Redis, type RedisOptions } from 'ioredis';
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
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #auditMaxLen: number;
  readonly #targetTtlMs: number;
  readonly #waitReplicas: number;
  readonly #waitMs: number;
  #replicas = 0;
  #replicasReadAt = 0;

  constructor(options: RedisStateStoreOptions) {
    this.#waitReplicas = options.waitReplicas;
    this.#waitMs = Math.max(1, Math.ceil(options.commandTimeoutMs));
    this.#prefix = options.prefix;
    this.#targetTtlMs = Math.max(1, Math.ceil(options.targetTtlMs));
    this.#auditMaxLen = options.auditStreamMaxLen;
    const { connection } = options;
    const settings: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: Math.max(options.commandTimeoutMs, 1_000),
      // Keep trying to come back, at most every 2 s, for as long as the healer runs.
      retryStrategy: (times) => Math.min(times * 100, 2_000),
    };
    this.#client =
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
            sentinelRetryStrategy: (times) => Math.min(times * 100, 2_000),
          });
    // Errors surface through the commands that fail; without a listener ioredis would print them.
    this.#client.on('error', () => undefined);
    this.#client.on('ready', () => options.onStateChange?.(true));
    this.#client.on('close', () => options.onStateChange?.(false));
  }

  /** Starts connecting; a Redis that is down now is retried in the background, not fatal. */
  async connect(): Promise<void> {
    await this.#client.connect().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }

  async #run<T>(what: string, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new StateStoreUnavailableError(
        `state store (Redis) unavailable during ${what}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /**
   * Waits until `waitReplicas` replicas have every write made so far on this connection;
   * rejects as unavailable when they do not within the command timeout. The write stays
   * on the master: a lease is taken back by its holder, a delete or an end written again.
   */
  async #replicated(what: string): Promise<void> {
    if (this.#waitReplicas === 0) return;
    const needed = Math.min(this.#waitReplicas, await this.#connectedReplicas());
    if (needed === 0) return;
    const acked = await this.#run(`WAIT after ${what}`, () =>
      this.#client.wait(needed, this.#waitMs),
    );
    if (acked < needed)
      throw new StateStoreUnavailableError(
        `state store (Redis) unavailable during ${what}: ${acked} of ${needed} replicas have it after ${this.#waitMs} ms`,
      );
  }

  /**
   * The master's connected replicas, read at most once a second. A master left without
   * any (its only replica promoted, the old master not yet back) cannot fail over
   * either, so the healer goes on with it rather than refuse all work.
   */
  async #connectedReplicas(): Promise<number> {
    const now = Date.now();
    if (now - this.#replicasReadAt > 1_000) {
      const info = await this.#run('INFO replication', () => this.#client.info('replication'));
      this.#replicas = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0);
      this.#replicasReadAt = now;
    }
    return this.#replicas;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#run('SET', () =>
      this.#client.set(this.#prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs))),
    );
    await this.#replicated('SET');
  }

  async exists(key: string): Promise<boolean> {
    return (await this.#run('EXISTS', () => this.#client.exists(this.#prefix + key))) === 1;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.#run('GET', () => this.#client.get(this.#prefix + key))) ?? undefined;
  }

  async renew(key: string, value: string, ttlMs: number): Promise<boolean> {
    const reply = await this.#run('lease renewal', () =>
      this.#client.eval(RENEW, 1, this.#prefix + key, value, Math.max(1, Math.ceil(ttlMs))),
    );
    if (reply !== 1) return false;
    await this.#replicated('lease renewal');
    return true;
  }

  async delete(key: string): Promise<void> {
    await this.#run('DEL', () => this.#client.del(this.#prefix + key));
    await this.#replicated('DEL');
  }

  async deleteIfEqual(key: string, value: string): Promise<void> {
    await this.#run('compare-and-delete', () =>
      this.#client.eval(DELETE_IF_EQUAL, 1, this.#prefix + key, value),
    );
    await this.#replicated('compare-and-delete');
  }

  async getTarget(target: string): Promise<TargetState> {
    const hash = await this.#run('HGETALL', () =>
      this.#client.hgetall(`${this.#prefix}target:${target}`),
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
    const multi = this.#client
      .multi()
      .hset(key, { ...state })
      .pexpire(key, this.#targetTtlMs)
      // Circuits closed by time, whose targets may have expired since, leave the index.
      .zremrangebyscore(circuits, '-inf', Date.now());
    if (state.circuit_open_until_ms > 0) multi.zadd(circuits, state.circuit_open_until_ms, target);
    else multi.zrem(circuits, target);
    await this.#run('MULTI target state', () => multi.exec());
    await this.#replicated('MULTI target state');
  }

  async openCircuits(nowMs: number): Promise<string[]> {
    return this.#run('ZRANGEBYSCORE', () =>
      this.#client.zrangebyscore(`${this.#prefix}circuits`, `(${nowMs}`, '+inf'),
    );
  }

  #journalKey(episode: string): string {
    return `${this.#prefix}journal:${episode}`;
  }

  async openAttempt(episode: string, startedJson: string, ttlMs: number): Promise<void> {
    const key = this.#journalKey(episode);
    await this.#run('journal start', () =>
      this.#client.multi().hset(key, 'open', startedJson).pexpire(key, Math.ceil(ttlMs)).exec(),
    );
    await this.#replicated('journal start');
  }

  async closeAttempt(episode: string, final: boolean, ttlMs: number): Promise<void> {
    const key = this.#journalKey(episode);
    const multi = this.#client.multi().hdel(key, 'open');
    if (final) multi.hset(key, 'done', '1');
    multi.pexpire(key, Math.ceil(ttlMs));
    await this.#run('journal end', () => multi.exec());
    await this.#replicated('journal end');
  }

  async interruptAttempt(episode: string, id: string | undefined, ttlMs: number): Promise<number> {
    const reply = await this.#run('journal interruption', () =>
      this.#client.eval(
        INTERRUPT,
        1,
        this.#journalKey(episode),
        id === undefined ? '' : `"id":"${id}"`,
        Math.ceil(ttlMs),
      ),
    );
    await this.#replicated('journal interruption');
    return Number(reply);
  }

  async readEpisode(episode: string): Promise<EpisodeRecord> {
    const hash = await this.#run('HGETALL journal', () =>
      this.#client.hgetall(this.#journalKey(episode)),
    );
    const record: EpisodeRecord = {
      interrupted: Number(hash.interrupted ?? 0),
      done: hash.done === '1',
    };
    if (hash.open !== undefined) record.open = hash.open;
    return record;
  }

  /**
   * The epoch marker: a random value set once in an empty Redis. A Redis that comes back
   * without it (or with another) lost the healer's episodes. Resolves to the marker now
   * in Redis after setting `candidate` if there was none.
   */
  async claimEpoch(candidate: string): Promise<string> {
    const key = `${this.#prefix}epoch`;
    return this.#run('epoch', async () => {
      await this.#client.set(key, candidate, 'NX');
      return (await this.#client.get(key)) ?? candidate;
    });
  }

  async readEpoch(): Promise<string | undefined> {
    return this.get('epoch');
  }

  /** Appends an audit entry, as JSON, to the capped audit stream shared by the replicas. */
  async appendAudit(json: string): Promise<void> {
    await this.#run('XADD', () =>
      this.#client.xadd(
        `${this.#prefix}audit`,
        'MAXLEN',
        '~',
        this.#auditMaxLen,
        '*',
        'entry',
        json,
      ),
    );
  }
}
