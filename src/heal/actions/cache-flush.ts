/**
 * `cache_flush`: empty a configured Redis cache, either its whole database (FLUSHDB
 * ASYNC) or the keys matching its pattern, found with SCAN and removed with UNLINK so
 * the server is never blocked the way KEYS would block it. The flush's replies only say
 * it was done (a cache in use may legitimately gain new keys right after): the effect is
 * verified by the rule's `verify_command` or `probe_url`, and without either the
 * outcome is `unverified`.
 *
 * ioredis is loaded only when `recovery.caches` names a cache, as the action is built:
 * an agent without caches never loads it.
 */
import type { Redis } from 'ioredis';
import type { CacheConfig } from '../../config/recovery.js';
import { NotAllowedError } from '../errors.js';
import type { ActionPlan, HealAction, PreparedAttempt } from './action.js';
import { commandVerification } from './verify-command.js';

const SCAN_COUNT = 1_000;

export interface CacheFlushOptions {
  caches: Record<string, CacheConfig>;
  commandTimeoutMs: number;
  /** Programs a rule's `verify_command` may run (`recovery.allowed_commands`). */
  allowedCommands: readonly string[];
}

/** Removes the keys matching `pattern` in batches; resolves to how many were removed. */
async function unlinkMatching(
  client: Redis,
  pattern: string,
  signal: AbortSignal,
): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    signal.throwIfAborted();
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
    cursor = next;
    if (keys.length > 0) removed += await client.unlink(...keys);
  } while (cursor !== '0');
  return removed;
}

export class CacheFlushAction implements HealAction {
  readonly #options: CacheFlushOptions;
  readonly #allowedCommands: ReadonlySet<string>;
  #ioredis: Promise<{ Redis: typeof Redis }> | undefined;

  constructor(options: CacheFlushOptions) {
    this.#options = options;
    this.#allowedCommands = new Set(options.allowedCommands);
    // Loaded ahead of the first flush, and only with a cache to flush.
    if (Object.keys(options.caches).length > 0)
      // A failed load fails the first flush, where it is awaited, not the process.
      this.#loadIoredis().catch(() => undefined);
  }

  #loadIoredis(): Promise<{ Redis: typeof Redis }> {
    return (this.#ioredis ??= import('ioredis'));
  }

  async prepare(plan: ActionPlan): Promise<PreparedAttempt> {
    const cache = Object.hasOwn(this.#options.caches, plan.target)
      ? this.#options.caches[plan.target]
      : undefined;
    if (!cache) throw new NotAllowedError(`cache ${plan.target} is not in recovery.caches`);
    const verify = commandVerification(plan, this.#allowedCommands);
    return {
      run: async (signal) => {
        const { Redis } = await this.#loadIoredis();
        const client = new Redis(cache.url, {
          db: cache.db,
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: this.#options.commandTimeoutMs,
          retryStrategy: () => null,
        });
        client.on('error', () => undefined);
        const onAbort = () => client.disconnect();
        signal.addEventListener('abort', onAbort, { once: true });
        try {
          await client.connect();
          if (cache.pattern === undefined) await client.flushdb('ASYNC');
          else await unlinkMatching(client, cache.pattern, signal);
        } finally {
          signal.removeEventListener('abort', onAbort);
          client.disconnect();
        }
      },
      ...(verify ? { verify } : {}),
    };
  }
}
