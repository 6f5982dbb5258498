/**
 * The dispatcher: claims alert episodes, queues the planned actions and runs them, one
 * at a time per target and at most `max_concurrent_actions` at once, each bounded by
 * its timeout, verified, and followed by backoff, retries and the circuit.
 *
 * Episode claims and target locks are leases (leases.ts) renewed while this replica
 * works on them; an episode over for good is marked `done` for the episode TTL. Every
 * attempt is journaled before and after it runs (attempt-journal.ts), so an attempt a
 * crash interrupted is closed, its process group waited for or killed, and its episode
 * re-run at most once.
 *
 * submit() only claims and enqueues, so the webhook answers in milliseconds; everything
 * slow happens in run jobs afterwards. Every decision goes to the audit, the log and the
 * metrics through one place, #record.
 *
 * This file claims, queues, pumps, gates (#handle) and stops; a job that passes every
 * gate is run by the attempt path in attempt-runner.ts (prepare, journal, run, verify,
 * conclude), which keeps the attempt counts /status shows.
 */
import { randomUUID } from 'node:crypto';
import type { RecoveryConfig } from '../../config/recovery.js';
import type { Logger } from '../../logger.js';
import type { HealAction } from '../actions/action.js';
import type { AuditEntry, AuditLog } from '../audit/audit-log.js';
import { type BackoffSettings, nextAttemptAt } from './backoff.js';
import { type CircuitSettings, isOpen } from './circuit-breaker.js';
import type { Clock, Timer } from './clock.js';
import type { HealAnnouncements } from '../announce/heal-announcements.js';
import { AttemptJournal } from './attempt-journal.js';
import { AttemptRunner } from './attempt-runner.js';
import { DecisionRecorder } from './decision-recorder.js';
import { ReadyQueue } from './ready-queue.js';
import { eventLoopSlices, type Slices } from './slices.js';
import { type DecisionDetail, type Job, jobLogFields } from './job.js';
import { Leases } from './leases.js';
import { StoreRetries } from './store-retries.js';
import {
  ActionInterruptedError,
  StateStoreUnavailableError,
  type UnsafeLabelError,
} from '../errors.js';
import type { HealMetrics } from '../heal-metrics.js';
import type { HealAlert, PlannedAlert } from '../policy/planner.js';
import type { ActionName } from '../policy/policy.js';
import type { Journal, StartedRecord } from '../state/journal.js';
import type { StateStore } from '../state/state-store.js';

/** How long a job waits before asking again for a target another replica is healing. */
const LOCK_RETRY_MS = 500;
/** How long a job waits while the healer is paused (audit unwritable, state store lost). */
const PAUSED_RETRY_MS = 1_000;
/** Marks an episode over for good: any later delivery of it is a duplicate. */
const DONE = 'done';

export interface AlertDecision {
  fingerprint: string;
  alertname: string;
  rule?: string;
  decision: 'queued' | 'skipped';
  reason?: string;
}

export interface DispatcherOptions {
  config: RecoveryConfig;
  store: StateStore;
  actions: Record<ActionName, HealAction>;
  audit: AuditLog;
  metrics: HealMetrics;
  logger: Logger;
  clock: Clock;
  /** Actions and circuits announced to people (src/heal/announce). */
  announcements?: HealAnnouncements;
  /** True while healing is paused for maintenance: due jobs are skipped (`maintenance`). */
  paused?: () => boolean;
  journal: Journal;
  /** Why the healer must not act now, if it must not (jobs then wait). */
  refused?: () => string | undefined;
  /**
   * The event loop's slices, shared with the webhook: submit() and the pump work through
   * alerts and queued jobs in them, so that a storm of 1,000-alert notifications does
   * not hold /healthz and /metrics (`npm run bench:storm`).
   */
  slices?: Slices;
}

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #config: RecoveryConfig;
  readonly #store: StateStore;
  readonly #backoff: BackoffSettings;
  readonly #circuit: CircuitSettings;
  /** This healer's name in leases and the journal; kept across restarts (recover()). */
  #replica: string = randomUUID();
  readonly #ready = new ReadyQueue<Job>((job) => job.resolvedKey);
  readonly #scheduled = new Map<Job, Timer>();
  /** The job running on each busy target, one at a time per target. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #openCircuits = new Set<string>();
  readonly #recorder: DecisionRecorder;
  readonly #leases: Leases;
  readonly #journal: AttemptJournal;
  /** Targets not to touch until an interrupted attempt's process group is gone. */
  readonly #fences = new Map<string, Promise<void>>();
  /** Attempts this healer finished before a restart (from the journal), by id: whether each was final. */
  #finishedBefore = new Map<string, boolean>();
  readonly #shutdown = new AbortController();
  readonly #retries: StoreRetries;
  #stopping = false;
  readonly #slices: Slices;
  #pumpScheduled = false;
  readonly #runner: AttemptRunner;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#store = options.store;
    this.#slices = options.slices ?? eventLoopSlices;
    this.#recorder = new DecisionRecorder(options);
    this.#leases = new Leases({
      store: options.store,
      leaseMs: this.#config.lease_duration * 1000,
      clock: options.clock,
      logger: options.logger,
      renew: options.store.kind !== 'memory',
    });
    this.#retries = new StoreRetries(options.clock, options.logger);
    this.#journal = new AttemptJournal({
      retries: this.#retries,
      journal: options.journal,
      store: options.store,
      recorder: this.#recorder,
      logger: options.logger,
      replica: () => this.#replica,
      ttlMs: this.#config.episode_ttl * 1000,
    });
    this.#backoff = {
      initialMs: this.#config.backoff_initial * 1000,
      maxMs: this.#config.backoff_max * 1000,
      resetMs: this.#config.backoff_reset * 1000,
    };
    this.#circuit = {
      threshold: this.#config.circuit_failure_threshold,
      openMs: this.#config.circuit_open_duration * 1000,
    };
    this.#runner = new AttemptRunner({
      config: options.config,
      store: options.store,
      actions: options.actions,
      metrics: options.metrics,
      logger: options.logger,
      clock: options.clock,
      journal: this.#journal,
      recorder: this.#recorder,
      shutdown: this.#shutdown.signal,
      backoff: this.#backoff,
      circuit: this.#circuit,
      done: (job) => this.#done(job),
      unclaim: (job) => this.#unclaim(job),
      setCircuit: (target, open) => this.#setCircuit(target, open),
      requeue: (job) => this.#ready.add(job),
      stopping: () => this.#stopping,
    });
  }

  get stats(): {
    attempts: number;
    verified: number;
    unverified: number;
    cancelled: number;
    inFlight: number;
    openCircuits: string[];
  } {
    return {
      ...this.#runner.counts,
      openCircuits: [...this.#openCircuits].sort(),
    };
  }

  /**
   * Records resolved alerts, claims firing episodes and queues their actions. Rejects
   * with StateStoreUnavailableError when the store cannot answer: then nothing of that
   * alert was queued, and the caller answers 503 so the notification comes again.
   */
  async submit(planned: readonly PlannedAlert[]): Promise<AlertDecision[]> {
    const decisions: AlertDecision[] = [];
    // The reply names each skip as its audit entry does.
    const skipped = (entry: AuditEntry): void => {
      const { fingerprint, alertname, rule, reason } = entry;
      decisions.push({ fingerprint, alertname, rule, decision: 'skipped', reason });
    };
    for (const { alert, receivedAt, verdicts } of planned) {
      if (this.#slices.due) {
        // Queued jobs may start meanwhile: they are this notification's, already claimed.
        this.#pump();
        await this.#slices.next();
      }
      const resolvedKey = `resolved:${alert.fingerprint}:${alert.startsAt}`;
      if (alert.status === 'resolved') {
        // Cancelled here first: this replica's retries stop even when the store is down.
        this.#drop(
          'resolved',
          (job) => job.resolvedKey === resolvedKey,
          this.#ready.dropGroup(resolvedKey),
        );
        this.#runner.cancel(resolvedKey);
        await this.#store.set(resolvedKey, '1', this.#config.episode_ttl * 1000);
        skipped(this.#recorder.record('skipped', alert, { reason: 'resolved' }));
        continue;
      }
      if (verdicts.length === 0) {
        skipped(this.#recorder.record('skipped', alert, { reason: 'no_match' }));
        continue;
      }
      for (const verdict of verdicts) {
        if ('skip' in verdict) {
          skipped(
            this.#recorder.record('skipped', alert, {
              reason: verdict.skip,
              rule: verdict.rule.name,
              action: verdict.rule.action,
              error: verdict.detail,
            }),
          );
          continue;
        }
        const episodeKey = `episode:${alert.fingerprint}:${alert.startsAt}:${verdict.rule.index}`;
        const job: Job = {
          alert,
          rule: verdict.rule,
          plan: verdict.plan,
          attempt: 1,
          receivedAt,
          episodeKey,
          resolvedKey,
        };
        if (this.#stopping) {
          skipped(this.#recorder.recordJob('skipped', job, { reason: 'stopping' }));
          continue;
        }
        const claimed = await this.#leases.acquire(episodeKey, this.#lease);
        if (!claimed) {
          skipped(this.#recorder.recordJob('skipped', job, { reason: 'duplicate' }));
          continue;
        }
        this.#ready.add(job);
        decisions.push({
          fingerprint: alert.fingerprint,
          alertname: alert.labels.alertname ?? '',
          rule: verdict.rule.name,
          decision: 'queued',
        });
      }
    }
    this.#pump();
    return decisions;
  }

  /** Records that an alert was refused because a label it would put into an action is unsafe. */
  recordRejection(alert: HealAlert, error: UnsafeLabelError): void {
    this.#options.logger.warn(
      {
        event: 'heal_label_rejected',
        alertname: alert.labels.alertname,
        fingerprint: alert.fingerprint,
        label: error.label,
        source: alert.source,
      },
      error.message,
    );
    this.#recorder.record('skipped', alert, { reason: 'unsafe_label', error: error.message });
  }

  /** The value of this replica's episode claims. */
  get #lease(): string {
    return `lease:${this.#replica}`;
  }

  /**
   * Stops taking work, drops queued and scheduled jobs (releasing their episodes, so a
   * later delivery heals them), interrupts running actions (killing their process
   * groups), and waits for them to be recorded.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#drop(
      'stopping',
      () => true,
      this.#ready.drop(() => true),
    );
    this.#shutdown.abort(new ActionInterruptedError());
    await Promise.all(this.#running.values());
    await Promise.all(this.#fences.values());
    this.#retries.stop();
    this.#leases.stop();
  }

  /**
   * Takes this healer's name from before a restart, and closes the attempts a crash
   * left open (from the journal, at start-up): each target is fenced until its
   * attempt's process group is gone, and its episode left to the next delivery, which
   * re-runs it once unless its program ran to its end.
   */
  recover(
    replica: string,
    open: readonly StartedRecord[],
    finishedBefore: Map<string, boolean>,
  ): void {
    // The same name as before the crash: the claims and locks the dead process held are
    // this one's at once, instead of blocking their episodes and targets for a lease.
    this.#replica = replica;
    this.#finishedBefore = finishedBefore;
    for (const record of open) {
      const previous = this.#fences.get(record.target) ?? Promise.resolve();
      const fence = previous
        .then(async () => {
          const { over } = await this.#journal.close(record, 'crashed', () =>
            this.#options.clock.now(),
          );
          if (!over && record.replica !== this.#replica)
            await this.#store.deleteIfEqual(record.episode, `lease:${record.replica}`);
        })
        .catch((error: unknown) => {
          this.#options.logger.error(
            {
              event: 'heal_recovery_failed',
              target: record.target,
              episode: record.episode,
              err: error,
            },
            'could not close an interrupted attempt; its episode waits for its lease to expire',
          );
        })
        .finally(() => {
          if (this.#fences.get(record.target) === fence) this.#fences.delete(record.target);
        });
      this.#fences.set(record.target, fence);
    }
  }

  /** Reconciles the open-circuit gauge and /status with the store (other replicas open circuits too). */
  async refreshCircuits(): Promise<void> {
    const open = new Set(await this.#store.openCircuits(this.#options.clock.now()));
    for (const target of this.#openCircuits) if (!open.has(target)) this.#setCircuit(target, false);
    for (const target of open) this.#setCircuit(target, true);
  }

  #setCircuit(target: string, open: boolean): void {
    if (open) {
      this.#openCircuits.add(target);
      this.#options.metrics.circuitOpen.set({ target }, 1);
    } else if (this.#openCircuits.delete(target)) {
      this.#options.metrics.circuitOpen.remove({ target });
    }
  }

  /**
   * Drops the scheduled jobs `match` picks and the `queued` ones (already taken out of
   * the ready queue), each recorded as skipped for `reason`.
   */
  #drop(reason: 'stopping' | 'resolved', match: (job: Job) => boolean, queued: Job[]): void {
    const dropped: Job[] = [];
    for (const [job, timer] of this.#scheduled) {
      if (!match(job)) continue;
      timer.cancel();
      this.#scheduled.delete(job);
      dropped.push(job);
    }
    for (const job of queued) dropped.push(job);
    for (const job of dropped) {
      this.#recorder.recordJob('skipped', job, { reason });
      // Stopping leaves the episode to the next delivery; resolved ends it.
      void (reason === 'stopping' ? this.#unclaim(job) : this.#done(job));
    }
  }

  /**
   * The episode is over for good: a later delivery of it is a duplicate. Its lease is
   * renewed until the store has that, however long the store is down.
   */
  async #done(job: Job): Promise<void> {
    await this.#retries.write(
      `the end of episode ${job.episodeKey}`,
      () => this.#store.set(job.episodeKey, DONE, this.#config.episode_ttl * 1000),
      () => this.#leases.release(job.episodeKey),
    );
  }

  /** Gives the episode up unfinished: its next delivery, here or elsewhere, takes it again. */
  async #unclaim(job: Job): Promise<void> {
    this.#leases.release(job.episodeKey);
    await this.#retries.write(`the release of episode ${job.episodeKey}`, () =>
      this.#store.deleteIfEqual(job.episodeKey, this.#lease),
    );
  }

  /**
   * Runs `job` again after `delayMs`, recording `deferral` first when given; once
   * stopping, records the job as skipped instead.
   */
  #schedule(job: Job, delayMs: number, deferral?: DecisionDetail): void {
    // A job that was running when stop() cleared the timers must not set a new one.
    if (this.#stopping) {
      this.#recorder.recordJob('skipped', job, { reason: 'stopping' });
      void this.#unclaim(job);
      return;
    }
    if (deferral) this.#recorder.recordJob('deferred', job, deferral);
    const timer = this.#options.clock.setTimeout(() => {
      this.#scheduled.delete(job);
      this.#ready.add(job);
      this.#pump();
    }, delayMs);
    this.#scheduled.set(job, timer);
  }

  /** Starts ready jobs while there is capacity, skipping jobs whose target is busy here. */
  #pump(): void {
    if (this.#stopping) return;
    const busy = (target: string): boolean => this.#running.has(target);
    while (this.#running.size < this.#config.max_concurrent_actions) {
      const job = this.#ready.take(busy);
      if (job === undefined) return;
      const running: Promise<void> = this.#handle(job)
        .catch((error: unknown) => {
          this.#options.logger.error(
            { event: 'heal_dispatch_failed', ...jobLogFields(job), err: error },
            'unexpected error while healing',
          );
        })
        .finally(() => {
          this.#running.delete(job.plan.targetKey);
          this.#pumpSoon();
        });
      this.#running.set(job.plan.targetKey, running);
    }
  }

  /**
   * Pumps at once while the event loop's slice lasts, else in the next slice, once
   * however many jobs finish before it: jobs that finish without waiting on I/O (dry
   * runs, skips, the memory store) would otherwise start the next ones in one unbroken
   * chain of microtasks, and hold every other request until the whole queue is done.
   */
  #pumpSoon(): void {
    if (!this.#slices.due) {
      this.#pump();
      return;
    }
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    void this.#slices.next().then(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  async #handle(job: Job): Promise<void> {
    const lockKey = `lock:${job.plan.targetKey}`;
    // One job per target runs here at a time (#running): the lock only keeps other replicas off.
    const owner = `lock:${this.#replica}`;
    const timeoutMs = (job.rule.timeout ?? this.#config.action_timeout) * 1000;
    let locked = false;
    // An interrupted attempt's process group may still be at work on this target.
    for (
      let fence = this.#fences.get(job.plan.targetKey);
      fence;
      fence = this.#fences.get(job.plan.targetKey)
    )
      await fence;
    const refused = this.#options.refused?.();
    if (refused !== undefined) {
      this.#schedule(job, PAUSED_RETRY_MS);
      return;
    }
    try {
      // Paused for maintenance: nothing runs, and a delivery after the pause may act.
      if (this.#options.paused?.()) {
        await this.#release(job, 'maintenance');
        return;
      }
      // The claim may have been lost while this job waited (the store down longer than
      // a lease, and another replica took the episode over): that replica heals it.
      if (!(await this.#leases.confirm(job.episodeKey))) {
        this.#recorder.recordJob('skipped', job, { reason: 'lease_lost' });
        return;
      }
      // Another replica may have resolved the episode while this job waited (in the
      // queue behind a busy target, for a lock, for its backoff, or as a retry).
      if (await this.#store.exists(job.resolvedKey)) {
        this.#recorder.recordJob('skipped', job, { reason: 'resolved' });
        await this.#done(job);
        return;
      }
      // A dry run changes nothing, so it needs no lock: it only reads the gates.
      if (!this.#runner.dryRun(job)) {
        locked = await this.#leases.acquire(lockKey, owner);
        if (!locked) {
          this.#schedule(job, LOCK_RETRY_MS);
          return;
        }
        if (!job.journalRead && !(await this.#readJournal(job))) return;
      }
      const state = await this.#store.getTarget(job.plan.targetKey);
      const now = this.#options.clock.now();
      if (isOpen(state, now)) {
        this.#setCircuit(job.plan.targetKey, true);
        await this.#release(job, 'circuit_open');
        return;
      }
      const cooldownKey = `cooldown:${job.rule.name}:${job.plan.targetKey}`;
      // A cooldown this episode's own interrupted attempt started does not hold it back.
      if (job.attempt === 1) {
        const holder = await this.#store.get(cooldownKey);
        if (holder !== undefined && holder !== job.episodeKey) {
          await this.#release(job, 'cooldown');
          return;
        }
      }
      const due = nextAttemptAt(state, now, this.#backoff);
      if (due > now) {
        this.#schedule(job, due - now, {
          reason: 'backoff',
          retry_at: new Date(due).toISOString(),
        });
        return;
      }
      await this.#runner.attempt(job, state, cooldownKey, timeoutMs);
    } catch (error) {
      if (!(error instanceof StateStoreUnavailableError)) throw error;
      // Nothing was done for this job: try again once the store answers, unless resolved here meanwhile.
      const retryMs = Math.max(1_000, this.#backoff.initialMs);
      this.#options.logger.warn(
        {
          event: 'heal_state_store_unavailable',
          ...jobLogFields(job),
          err: error,
          retry_in_ms: retryMs,
        },
        'state store unavailable: the action waits',
      );
      this.#schedule(job, retryMs);
    } finally {
      if (locked) {
        this.#leases.release(lockKey);
        await this.#store.deleteIfEqual(lockKey, owner).catch((error: unknown) => {
          this.#options.logger.warn(
            { event: 'heal_unlock_failed', ...jobLogFields(job), err: error },
            'could not release the target lock; it expires by itself',
          );
        });
      }
    }
  }

  /** A "not now" skip: the claim is released, so a later delivery of the episode can act. */
  async #release(job: Job, reason: 'circuit_open' | 'cooldown' | 'maintenance'): Promise<void> {
    this.#leases.release(job.episodeKey);
    await this.#store.delete(job.episodeKey);
    this.#recorder.recordJob('skipped', job, { reason });
  }

  /**
   * Reads the episode's journal before this replica first acts on it: an episode over
   * for good is a duplicate; an attempt left open by a holder whose lease expired is
   * closed as interrupted (its process group gone first); an episode interrupted twice
   * is not tried again. False when the job ends here.
   */
  async #readJournal(job: Job): Promise<boolean> {
    const record = await this.#store.readEpisode(job.episodeKey);
    if (record.done) {
      this.#recorder.recordJob('skipped', job, { reason: 'duplicate' });
      await this.#done(job);
      return false;
    }
    let { interrupted } = record;
    if (record.open !== undefined) {
      const open = JSON.parse(record.open) as StartedRecord;
      // Finished before a crash cut the store's update short: the journal knows how.
      const final = this.#finishedBefore.get(open.id);
      if (final !== undefined) {
        await this.#store.closeAttempt(job.episodeKey, final, this.#config.episode_ttl * 1000);
        if (final) {
          this.#recorder.recordJob('skipped', job, { reason: 'duplicate' });
          await this.#done(job);
          return false;
        }
        job.journalRead = true;
        return true;
      }
      const closed = await this.#journal.close(open, 'lease_expired', () =>
        this.#options.clock.now(),
      );
      if (closed.over) {
        this.#recorder.recordJob('skipped', job, { reason: 'duplicate' });
        this.#leases.release(job.episodeKey);
        return false;
      }
      interrupted = closed.interrupted;
    }
    if (interrupted >= 2) {
      this.#recorder.recordJob('skipped', job, {
        reason: 'interrupted_again',
        error: `${interrupted} attempts of this episode were interrupted: it is not tried again`,
      });
      await this.#done(job);
      return false;
    }
    job.journalRead = true;
    return true;
  }
}
