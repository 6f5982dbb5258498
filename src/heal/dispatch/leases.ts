/**
 * Leases: episode claims and target locks that live `leaseMs` unless their holder renews
 * them. Every held lease is renewed every third of its life, so a replica that dies
 * (kill -9, a lost host) frees its episodes and targets within one lease, while a live
 * one keeps them for as long as its work takes (a queue, a backoff, a long action).
 */
import type { Logger } from '../../logger.js';
import { StateStoreUnavailableError } from '../errors.js';
import type { StateStore } from '../state/state-store.js';
import type { Clock, Timer } from './clock.js';

export interface LeasesOptions {
  store: StateStore;
  leaseMs: number;
  clock: Clock;
  logger: Logger;
  /**
   * Renew held leases in the store. Off for the memory store: its leases die with the
   * process that holds them, and this process guards its own (a storm's queued jobs
   * would otherwise cost a renewal each, every few seconds).
   */
  renew: boolean;
}

export class Leases {
  readonly #options: LeasesOptions;
  readonly #held = new Map<string, string>();
  #timer: Timer | undefined;
  #renewing = false;
  #stopped = false;

  constructor(options: LeasesOptions) {
    this.#options = options;
  }

  /**
   * Takes the lease `key` for `value` unless someone else holds it, or this process holds
   * it already; true when taken (and then renewed until released). A lease left by an
   * earlier run of this healer (same value) is taken back.
   */
  async acquire(key: string, value: string): Promise<boolean> {
    if (this.#held.has(key)) return false;
    const taken = await this.#options.store.renew(key, value, this.#options.leaseMs);
    if (taken && !this.#held.has(key)) {
      this.#hold(key, value);
      return true;
    }
    return false;
  }

  /** Renews the held lease `key` now; false when it is no longer ours (it is then forgotten). */
  async confirm(key: string): Promise<boolean> {
    const value = this.#held.get(key);
    if (value === undefined) return false;
    const ours = await this.#options.store.renew(key, value, this.#options.leaseMs);
    if (!ours) this.#held.delete(key);
    return ours;
  }

  /** Stops renewing `key`; the caller deletes or overwrites it. */
  release(key: string): void {
    this.#held.delete(key);
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  #hold(key: string, value: string): void {
    this.#held.set(key, value);
    this.#arm();
  }

  #arm(): void {
    if (!this.#options.renew || this.#held.size === 0 || this.#timer !== undefined) return;
    if (this.#stopped) return;
    this.#timer = this.#options.clock.setTimeout(() => {
      this.#timer = undefined;
      void this.#renewAll();
    }, this.#options.leaseMs / 3);
  }

  async #renewAll(): Promise<void> {
    if (this.#renewing) return;
    this.#renewing = true;
    const { store, leaseMs, logger } = this.#options;
    try {
      await Promise.all(
        [...this.#held].map(async ([key, value]) => {
          try {
            if (await store.renew(key, value, leaseMs)) return;
            if (this.#held.get(key) !== value) return; // released meanwhile
            this.#held.delete(key);
            logger.error(
              { event: 'heal_lease_lost', key },
              `lease ${key} is held by another replica now: this one stops working on it`,
            );
          } catch (error) {
            // Down: renewed again next round; a lease that expires meanwhile is taken
            // back by renew() when the store returns, unless another replica took it.
            if (!(error instanceof StateStoreUnavailableError)) throw error;
          }
        }),
      );
    } finally {
      this.#renewing = false;
      this.#arm();
    }
  }
}
