/**
 * Writes that record what already happened (an episode over, an attempt's end) must
 * reach the store even when it is down at that moment: otherwise a later delivery could
 * act again. They are tried at once and, while the store is unavailable, again every
 * second in the background until they succeed or the healer stops.
 */
import type { Logger } from '../../logger.js';
import { StateStoreUnavailableError } from '../errors.js';
import type { Clock, Timer } from './clock.js';

const RETRY_MS = 1_000;

export class StoreRetries {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #timers = new Set<Timer>();
  #stopped = false;

  constructor(clock: Clock, logger: Logger) {
    this.#clock = clock;
    this.#logger = logger;
  }

  /** Runs `write` until it succeeds; `then` runs once it has. Resolves after the first try. */
  async write(what: string, write: () => Promise<unknown>, then?: () => void): Promise<void> {
    try {
      await write();
      then?.();
    } catch (error) {
      if (!(error instanceof StateStoreUnavailableError) || this.#stopped) {
        this.#logger.warn(
          { event: 'heal_state_write_failed', what, err: error },
          `could not store ${what}`,
        );
        return;
      }
      const timer = this.#clock.setTimeout(() => {
        this.#timers.delete(timer);
        void this.write(what, write, then);
      }, RETRY_MS);
      this.#timers.add(timer);
    }
  }

  /** Stops retrying; what was not stored yet is logged. */
  stop(): void {
    this.#stopped = true;
    if (this.#timers.size > 0) {
      this.#logger.warn(
        { event: 'heal_state_write_abandoned', writes: this.#timers.size },
        `${this.#timers.size} write(s) to the state store not done before stopping; their leases expire by themselves`,
      );
    }
    for (const timer of this.#timers) timer.cancel();
    this.#timers.clear();
  }
}
