/**
 * Where the healer keeps what must survive a request and, with several replicas, be
 * shared: claimed episodes, resolved episodes, cooldowns, per-target locks, attempt
 * history (backoff) and circuits. Every method rejects with StateStoreUnavailableError
 * when the store cannot answer; the healer then acts on nothing.
 */
import type { AttemptHistory } from '../dispatch/backoff.js';
import type { CircuitHistory } from '../dispatch/circuit-breaker.js';

export interface TargetState extends AttemptHistory, CircuitHistory {}

export const EMPTY_TARGET_STATE: TargetState = {
  backoff_attempts: 0,
  last_attempt_ms: 0,
  consecutive_failures: 0,
  circuit_open_until_ms: 0,
};

/** The shared journal of one episode: its attempt in progress, how many a crash or a stop interrupted, whether it is over. */
export interface EpisodeRecord {
  /** The attempt started and not finished, as its StartedRecord's JSON. */
  open?: string;
  interrupted: number;
  done: boolean;
}

export interface StateStore {
  readonly kind: 'memory' | 'redis';
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Sets `key` for `ttlMs`, replacing any value. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  exists(key: string): Promise<boolean>;
  get(key: string): Promise<string | undefined>;
  /**
   * Extends the lease `key` held with `value` to `ttlMs`; takes it again if it has
   * expired. False when someone else holds it now: the lease is lost.
   */
  renew(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Deletes `key` only while it still holds `value` (a lock's owner releasing it). */
  deleteIfEqual(key: string, value: string): Promise<void>;
  getTarget(target: string): Promise<TargetState>;
  /** Stores a target's state and keeps the index of open circuits in step. */
  putTarget(target: string, state: TargetState): Promise<void>;
  /** Targets whose circuit is open at `nowMs`. */
  openCircuits(nowMs: number): Promise<string[]>;

  /** Records `startedJson` as the episode's attempt in progress; the record lives `ttlMs`. */
  openAttempt(episode: string, startedJson: string, ttlMs: number): Promise<void>;
  /** The attempt in progress finished; `final`: the episode is over. */
  closeAttempt(episode: string, final: boolean, ttlMs: number): Promise<void>;
  /**
   * Closes the attempt in progress (only if its id is `id`, when given) as interrupted;
   * resolves to how many attempts of the episode were interrupted.
   */
  interruptAttempt(episode: string, id: string | undefined, ttlMs: number): Promise<number>;
  readEpisode(episode: string): Promise<EpisodeRecord>;
}
