/**
 * What the full memory store forgot, told without flooding: every entry counts in
 * `aegis_heal_state_evictions_total`, and a warning goes out at most once per interval,
 * with how many were forgotten since the last one. A storm into a full store evicts an
 * entry per alert; a line per eviction was a log line per alert.
 */
import type { Counter } from 'prom-client';
import type { Logger } from '../../logger.js';
import type { Clock } from '../dispatch/clock.js';

export const EVICTION_LOG_INTERVAL_MS = 60_000;

export class EvictionLog {
  readonly #logger: Logger;
  readonly #counter: Counter;
  readonly #clock: Clock;
  readonly #maxEntries: number;
  #unreported = 0;
  #lastReportMs = -Infinity;

  constructor(options: { logger: Logger; counter: Counter; clock: Clock; maxEntries: number }) {
    this.#logger = options.logger;
    this.#counter = options.counter;
    this.#clock = options.clock;
    this.#maxEntries = options.maxEntries;
  }

  /** Counts one forgotten entry; warns when the last warning is an interval old. */
  evicted(key: string): void {
    this.#counter.inc();
    this.#unreported += 1;
    const now = this.#clock.now();
    if (now - this.#lastReportMs < EVICTION_LOG_INTERVAL_MS) return;
    this.#logger.warn(
      {
        event: 'heal_state_evicted',
        evicted: this.#unreported,
        last_key: key,
        max_entries: this.#maxEntries,
      },
      `memory state store full (recovery.memory_store_max_entries): ${this.#unreported} oldest ${this.#unreported === 1 ? 'entry' : 'entries'} forgotten`,
    );
    this.#unreported = 0;
    this.#lastReportMs = now;
  }
}
