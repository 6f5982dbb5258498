/**
 * The default state store: one process's memory. Right for a single healer replica.
 * Bounded: every entry has a TTL, target state expires `targetTtlMs` after its last
 * write, and past `maxEntries` the oldest entries are forgotten first (each one told to
 * `onEvict`). What must outlive the process (finished episodes, interrupted attempts) is
 * in the journal, and replayed into this store at start.
 */
import type { Clock } from '../dispatch/clock.js';
import {
  EMPTY_TARGET_STATE,
  type EpisodeRecord,
  type StateStore,
  type TargetState,
} from './state-store.js';

interface Entry {
  value: string;
  expiresAtMs: number;
}

interface EpisodeEntry extends EpisodeRecord {
  expiresAtMs: number;
}

/** A full map is swept for expired entries once per this share of the cap's writes. */
const SWEEP_EVERY = 16;

export interface MemoryStateStoreOptions {
  clock: Clock;
  maxEntries: number;
  targetTtlMs: number;
  /** Told the key of each entry forgotten before its time because the store was full. */
  onEvict?: (key: string) => void;
}

export class MemoryStateStore implements StateStore {
  readonly kind = 'memory';
  readonly #options: MemoryStateStoreOptions;
  readonly #clock: Clock;
  // Maps iterate in insertion order and every write re-inserts: the first entry is the
  // one written longest ago, the first to go when the store is full.
  readonly #entries = new Map<string, Entry>();
  readonly #episodes = new Map<string, EpisodeEntry>();
  readonly #targets = new Map<string, { state: TargetState; expiresAtMs: number }>();
  /** Per full map: writes since it was last swept for expired entries. */
  readonly #writesSinceSweep = new Map<Map<string, unknown>, number>();

  constructor(options: MemoryStateStoreOptions) {
    this.#options = options;
    this.#clock = options.clock;
  }

  async connect(): Promise<void> {}
  async close(): Promise<void> {}

  /** How many entries of each kind are kept now. */
  get size(): { entries: number; episodes: number; targets: number } {
    return {
      entries: this.#entries.size,
      episodes: this.#episodes.size,
      targets: this.#targets.size,
    };
  }

  #live<T extends { expiresAtMs: number }>(map: Map<string, T>, key: string): T | undefined {
    const entry = map.get(key);
    if (entry && entry.expiresAtMs <= this.#clock.now()) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  #put<T extends { expiresAtMs: number }>(map: Map<string, T>, key: string, entry: T): void {
    map.delete(key);
    map.set(key, entry);
    if (map.size <= this.#options.maxEntries) return;
    // A full map is swept for expired entries at most once per sixteenth of the cap's
    // writes: sweeping on every write made each one cost the whole map (a storm of
    // 100,000 new episodes into a full store: 10^10 checks).
    const writes = (this.#writesSinceSweep.get(map) ?? Infinity) + 1;
    this.#writesSinceSweep.set(map, writes);
    if (writes > this.#options.maxEntries / SWEEP_EVERY) {
      this.#sweep(map);
      this.#writesSinceSweep.set(map, 0);
    }
    while (map.size > this.#options.maxEntries) {
      const oldest = map.keys().next().value as string;
      map.delete(oldest);
      this.#options.onEvict?.(oldest);
    }
  }

  #sweep<T extends { expiresAtMs: number }>(map: Map<string, T>): void {
    const now = this.#clock.now();
    for (const [key, entry] of map) if (entry.expiresAtMs <= now) map.delete(key);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#put(this.#entries, key, { value, expiresAtMs: this.#clock.now() + ttlMs });
  }

  async exists(key: string): Promise<boolean> {
    return this.#live(this.#entries, key) !== undefined;
  }

  async get(key: string): Promise<string | undefined> {
    return this.#live(this.#entries, key)?.value;
  }

  async renew(key: string, value: string, ttlMs: number): Promise<boolean> {
    const entry = this.#live(this.#entries, key);
    if (entry && entry.value !== value) return false;
    this.#put(this.#entries, key, { value, expiresAtMs: this.#clock.now() + ttlMs });
    return true;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  async deleteIfEqual(key: string, value: string): Promise<void> {
    if (this.#live(this.#entries, key)?.value === value) this.#entries.delete(key);
  }

  async getTarget(target: string): Promise<TargetState> {
    return this.#live(this.#targets, target)?.state ?? EMPTY_TARGET_STATE;
  }

  async putTarget(target: string, state: TargetState): Promise<void> {
    this.#put(this.#targets, target, {
      state,
      expiresAtMs: this.#clock.now() + this.#options.targetTtlMs,
    });
  }

  async openCircuits(nowMs: number): Promise<string[]> {
    this.#sweep(this.#targets);
    return [...this.#targets]
      .filter(([, { state }]) => state.circuit_open_until_ms > nowMs)
      .map(([target]) => target);
  }

  #episode(episode: string, ttlMs: number): EpisodeEntry {
    const entry = this.#live(this.#episodes, episode) ?? {
      interrupted: 0,
      done: false,
      expiresAtMs: 0,
    };
    entry.expiresAtMs = this.#clock.now() + ttlMs;
    this.#put(this.#episodes, episode, entry);
    return entry;
  }

  async openAttempt(episode: string, startedJson: string, ttlMs: number): Promise<void> {
    this.#episode(episode, ttlMs).open = startedJson;
  }

  async closeAttempt(episode: string, final: boolean, ttlMs: number): Promise<void> {
    const entry = this.#episode(episode, ttlMs);
    delete entry.open;
    if (final) entry.done = true;
  }

  async interruptAttempt(episode: string, id: string | undefined, ttlMs: number): Promise<number> {
    const entry = this.#episode(episode, ttlMs);
    if (entry.open !== undefined && (id === undefined || entry.open.includes(`"id":"${id}"`))) {
      delete entry.open;
      entry.interrupted += 1;
    }
    return entry.interrupted;
  }

  async readEpisode(episode: string): Promise<EpisodeRecord> {
    const entry = this.#live(this.#episodes, episode);
    if (!entry) return { interrupted: 0, done: false };
    const { open, interrupted, done } = entry;
    return open === undefined ? { interrupted, done } : { open, interrupted, done };
  }
}
