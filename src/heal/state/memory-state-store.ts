/** The default state store: one process's memory. Right for a single healer replica. */
import type { Clock } from '../dispatch/clock.js';
import { EMPTY_TARGET_STATE, type StateStore, type TargetState } from './state-store.js';

interface Entry {
  value: string;
  expiresAtMs: number;
}

export class MemoryStateStore implements StateStore {
  readonly kind = 'memory';
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  readonly #targets = new Map<string, TargetState>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async connect(): Promise<void> {}
  async close(): Promise<void> {}

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAtMs <= this.#clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.#live(key)) return false;
    this.#sweep();
    this.#entries.set(key, { value, expiresAtMs: this.#clock.now() + ttlMs });
    return true;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#entries.set(key, { value, expiresAtMs: this.#clock.now() + ttlMs });
  }

  async exists(key: string): Promise<boolean> {
    return this.#live(key) !== undefined;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async deleteIfEqual(key: string, value: string): Promise<void> {
    if (this.#live(key)?.value === value) this.#entries.delete(key);
  }

  async getTarget(target: string): Promise<TargetState> {
    return this.#targets.get(target) ?? EMPTY_TARGET_STATE;
  }

  async putTarget(target: string, state: TargetState): Promise<void> {
    this.#targets.set(target, state);
  }

  async openCircuits(nowMs: number): Promise<string[]> {
    return [...this.#targets]
      .filter(([, state]) => state.circuit_open_until_ms > nowMs)
      .map(([target]) => target);
  }

  // Episodes are claimed per alert; without a sweep a long-running healer would keep
  // every expired claim. Sweeping when the map doubles keeps the cost amortised O(1).
  #sweepAt = 1024;
  #sweep(): void {
    if (this.#entries.size < this.#sweepAt) return;
    const now = this.#clock.now();
    for (const [key, entry] of this.#entries)
      if (entry.expiresAtMs <= now) this.#entries.delete(key);
    this.#sweepAt = Math.max(1024, this.#entries.size * 2);
  }
}
