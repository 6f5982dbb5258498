/**
 * The dispatcher's side of the journal: every attempt is written `started` (local file,
 * fsynced, then the store's episode journal) before it runs, its process group once it
 * has one, and `finished` after. An attempt found started and never finished, by this
 * healer at start-up or by any replica that takes its episode over once the dead
 * holder's lease expired, is closed as `interrupted` after its process group is gone.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.js';
import type { AttemptOutcome, Journal, JournalReplay, StartedRecord } from '../state/journal.js';
import type { StateStore } from '../state/state-store.js';
import type { DecisionRecorder } from './decision-recorder.js';
import type { StoreRetries } from './store-retries.js';
import type { Job } from './job.js';
import { HOST, processStartTime, settleOrphan } from './orphans.js';

export interface AttemptJournalOptions {
  journal: Journal;
  store: StateStore;
  recorder: DecisionRecorder;
  retries: StoreRetries;
  logger: Logger;
  replica: () => string;
  /** How long the store keeps an episode's journal: the episode TTL. */
  ttlMs: number;
}

export class AttemptJournal {
  readonly #options: AttemptJournalOptions;

  constructor(options: AttemptJournalOptions) {
    this.#options = options;
  }

  /** Where the attempt's program writes its process group before it starts. */
  marker(record: StartedRecord): string {
    return this.#options.journal.marker(record.id);
  }

  /** Records that `job`'s attempt starts; resolves once the record is durable. */
  async start(
    job: Job,
    timeoutMs: number,
    cooldownKey: string,
    cooldownMs: number,
    nowMs: number,
  ): Promise<StartedRecord> {
    const record: StartedRecord = {
      t: 'started',
      id: randomUUID(),
      time: nowMs,
      episode: job.episodeKey,
      target: job.plan.targetKey,
      rule: job.rule.name,
      action: job.plan.action,
      attempt: job.attempt,
      source: job.alert.source,
      alertname: job.alert.labels.alertname ?? '',
      fingerprint: job.alert.fingerprint,
      starts_at: job.alert.startsAt,
      replica: this.#options.replica(),
      host: HOST,
      timeout_ms: timeoutMs,
      cooldown_key: cooldownKey,
      cooldown_ms: cooldownMs,
    };
    await this.#options.journal.append(record);
    await this.#options.store.openAttempt(
      record.episode,
      JSON.stringify(record),
      this.#options.ttlMs,
    );
    return record;
  }

  /** Records the attempt's process group; resolves once the local record is durable. */
  async spawned(record: StartedRecord, pgid: number): Promise<void> {
    record.pgid = pgid;
    const start = processStartTime(pgid);
    if (start !== undefined) record.pg_start = start;
    await this.#options.journal.append({
      t: 'spawned',
      id: record.id,
      pgid,
      ...(start !== undefined ? { pg_start: start } : {}),
    });
    await this.#options.store
      .openAttempt(record.episode, JSON.stringify(record), this.#options.ttlMs)
      .catch((error: unknown) => this.#warn(record, error));
  }

  /** Records the attempt's end; `final`: nothing more is attempted for its episode. */
  async finish(
    record: StartedRecord,
    outcome: AttemptOutcome,
    final: boolean,
    nowMs: number,
  ): Promise<void> {
    await this.#journalEnd(record, outcome, final, nowMs);
    const { store, ttlMs } = this.#options;
    await this.#options.retries.write(`the end of an attempt of ${record.episode}`, () =>
      outcome === 'interrupted'
        ? store.interruptAttempt(record.episode, record.id, ttlMs)
        : store.closeAttempt(record.episode, final, ttlMs),
    );
  }

  /** Journals the attempt's end and removes its process-group marker. */
  async #journalEnd(
    record: StartedRecord,
    outcome: AttemptOutcome,
    final: boolean,
    nowMs: number,
  ): Promise<void> {
    await this.#options.journal.append({
      t: 'finished',
      id: record.id,
      time: nowMs,
      episode: record.episode,
      outcome,
      final,
    });
    this.#options.journal.removeMarker(record.id);
  }

  /**
   * Closes an attempt that never finished: waits for its process group to end (or kills
   * it at the attempt's deadline), audits it as interrupted for `reason`, and journals
   * it. An attempt whose program ran to its end (or may still run, on another host) is
   * not run again: its exit status died with its healer, and running it twice is worse
   * than once. Any other (killed, or nothing outside the healer) leaves its episode to a
   * re-run. Resolves to whether the episode is over, and how many of its attempts were
   * interrupted.
   */
  async close(
    record: StartedRecord,
    reason: 'crashed' | 'lease_expired',
    nowMs: () => number,
  ): Promise<{ over: boolean; interrupted: number }> {
    const orphan = await settleOrphan(record, this.#options.journal.marker(record.id));
    const over = orphan === 'ended' || orphan === 'elsewhere';
    this.#options.recorder.recordInterrupted(record, reason, orphan, over);
    await this.#journalEnd(record, 'interrupted', over, nowMs());
    const { store, ttlMs } = this.#options;
    if (over) {
      await store.closeAttempt(record.episode, true, ttlMs);
      await store.set(record.episode, 'done', ttlMs);
      return { over, interrupted: 0 };
    }
    return { over, interrupted: await store.interruptAttempt(record.episode, record.id, ttlMs) };
  }

  #warn(record: StartedRecord, error: unknown): void {
    this.#options.logger.warn(
      {
        event: 'heal_journal_store_failed',
        target: record.target,
        episode: record.episode,
        err: error,
      },
      'could not update the shared episode journal; the local journal has the record',
    );
  }
}

/**
 * Puts back into a fresh memory store what the journal says of the last episode TTL:
 * episodes over (a repeat is a duplicate), interrupted attempts (an episode is re-run
 * at most once), attempts not yet closed, and cooldowns still running.
 */
export async function replayIntoStore(
  store: StateStore,
  replay: JournalReplay,
  nowMs: number,
  episodeTtlMs: number,
): Promise<void> {
  for (const { record, finished } of replay.attempts) {
    const left = record.time + episodeTtlMs - nowMs;
    if (left <= 0 && finished) continue;
    const ttl = Math.max(left, 1);
    await store.openAttempt(record.episode, JSON.stringify(record), ttl);
    if (finished?.outcome === 'interrupted')
      await store.interruptAttempt(record.episode, record.id, ttl);
    else if (finished) await store.closeAttempt(record.episode, finished.final, ttl);
    const cooldownLeft = record.time + record.cooldown_ms - nowMs;
    if (cooldownLeft > 0) await store.set(record.cooldown_key, record.episode, cooldownLeft);
  }
  for (const [episode, time] of replay.done) {
    const left = time + episodeTtlMs - nowMs;
    if (left > 0) await store.set(episode, 'done', left);
  }
}
