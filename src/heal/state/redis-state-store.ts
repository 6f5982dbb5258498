/**
 * The shared state store for several healer replicas: one Redis. Claims and locks are
 * atomic (SET NX PX), a lock is released only by its owner (a compare-and-delete Lua
 * script), and target state is written only under the target's lock.
 *
 * Commands are never queued or re-sent while Redis is away: a claim re-sent after a
 * reconnect could be answered "already set" for our own earlier write and lose an
 * action, and a queued one would hold a webhook request open. They fail at once instead,
 * and the webhook answers 503 so Alertmanager delivers again later.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { StateStoreUnavailableError } from '../errors.js';
import { EMPTY_TARGET_STATE, type StateStore, type TargetState } from './state-store.js';

const DELETE_IF_EQUAL = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

export interface RedisStateStoreOptions {
  /** One Redis (`redis://…`), or the sentinels that name the current master. */
  connection: { url: string } | { sentinels: string[]; masterName: string };
  prefix: string;
  commandTimeoutMs: number;
  auditStreamMaxLen: number;
  /** Told when the connection comes up or goes down. */
  onStateChange?: (up: boolean) => void;
}

export class RedisStateStore implements StateStore {
  readonly kind = 'redis';
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #auditMaxLen: number;

  constructor(options: RedisStateStoreOptions) {
    this.#prefix = options.prefix;
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

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const reply = await this.#run('SET NX', () =>
      this.#client.set(this.#prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    return reply === 'OK';
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#run('SET', () =>
      this.#client.set(this.#prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs))),
    );
  }

  async exists(key: string): Promise<boolean> {
    return (await this.#run('EXISTS', () => this.#client.exists(this.#prefix + key))) === 1;
  }

  async delete(key: string): Promise<void> {
    await this.#run('DEL', () => this.#client.del(this.#prefix + key));
  }

  async deleteIfEqual(key: string, value: string): Promise<void> {
    await this.#run('compare-and-delete', () =>
      this.#client.eval(DELETE_IF_EQUAL, 1, this.#prefix + key, value),
    );
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
    const multi = this.#client.multi().hset(`${this.#prefix}target:${target}`, { ...state });
    if (state.circuit_open_until_ms > 0) multi.zadd(circuits, state.circuit_open_until_ms, target);
    else multi.zrem(circuits, target);
    await this.#run('MULTI target state', () => multi.exec());
  }

  async openCircuits(nowMs: number): Promise<string[]> {
    return this.#run('ZRANGEBYSCORE', () =>
      this.#client.zrangebyscore(`${this.#prefix}circuits`, `(${nowMs}`, '+inf'),
    );
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
