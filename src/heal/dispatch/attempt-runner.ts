/**
 * The attempt path of the dispatcher (dispatcher.ts): a job that passed every gate is
 * prepared, journaled, run under its timeout, verified, and concluded (done, a retry,
 * the circuit). The counts /status shows of attempts are kept here, as they are
 * recorded; the dispatcher keeps claiming, queueing and gating, and is called back for
 * what is its own (the episode's end or release, the open circuits, the ready queue).
 */
import { performance } from 'node:perf_hooks';
import type { RecoveryConfig } from '../../config/recovery.js';
import type { Logger } from '../../logger.js';
import type { HealAction, PreparedAttempt } from '../actions/action.js';
import { waitForProbe } from '../actions/probe.js';
import { type BackoffSettings, recordAttempt } from './backoff.js';
import { type CircuitSettings, recordOutcome } from './circuit-breaker.js';
import type { Clock } from './clock.js';
import type { AttemptJournal } from './attempt-journal.js';
import type { DecisionRecorder } from './decision-recorder.js';
import { isLastAttempt, type Job, jobLogFields } from './job.js';
import { withTimeout } from './with-timeout.js';
import {
  ActionCancelledError,
  ActionInterruptedError,
  ActionTimeoutError,
  NotAllowedError,
} from '../errors.js';
import type { HealMetrics } from '../heal-metrics.js';
import type { ActionName } from '../policy/policy.js';
import type { StartedRecord } from '../state/journal.js';
import type { StateStore, TargetState } from '../state/state-store.js';

export interface AttemptRunnerOptions {
  config: RecoveryConfig;
  store: StateStore;
  actions: Record<ActionName, HealAction>;
  metrics: HealMetrics;
  logger: Logger;
  clock: Clock;
  journal: AttemptJournal;
  recorder: DecisionRecorder;
  /** Aborted when the healer stops: it interrupts every running attempt. */
  shutdown: AbortSignal;
  backoff: BackoffSettings;
  circuit: CircuitSettings;
  /** The episode is over for good. */
  done: (job: Job) => Promise<void>;
  /** Gives the episode up unfinished, for its next delivery. */
  unclaim: (job: Job) => Promise<void>;
  /** Marks a target's circuit open or closed in the gauge and /status. */
  setCircuit: (target: string, open: boolean) => void;
  /** Queues a retry; the dispatcher's gates defer it for its backoff. */
  requeue: (job: Job) => void;
  /** True once the healer is stopping. */
  stopping: () => boolean;
}

export interface AttemptCounts {
  attempts: number;
  verified: number;
  unverified: number;
  cancelled: number;
  inFlight: number;
}

export class AttemptRunner {
  readonly #options: AttemptRunnerOptions;
  #attempts = 0;
  #verified = 0;
  #unverified = 0;
  #cancelled = 0;
  /** Running attempts of `cancel_on_resolve` rules: aborted when their alert resolves. */
  readonly #cancellers = new Map<Job, AbortController>();
  #inFlight = 0;

  constructor(options: AttemptRunnerOptions) {
    this.#options = options;
  }

  get counts(): AttemptCounts {
    return {
      attempts: this.#attempts,
      verified: this.#verified,
      unverified: this.#unverified,
      cancelled: this.#cancelled,
      inFlight: this.#inFlight,
    };
  }

  /** Cancels the running `cancel_on_resolve` attempts of the alert episode `resolvedKey` names. */
  cancel(resolvedKey: string): void {
    for (const [job, cancel] of this.#cancellers) {
      if (job.resolvedKey === resolvedKey)
        cancel.abort(new ActionCancelledError(job.plan.action, job.plan.targetKey));
    }
  }

  dryRun(job: Job): boolean {
    return this.#options.config.dry_run || job.rule.dry_run;
  }

  async attempt(
    job: Job,
    state: TargetState,
    cooldownKey: string,
    timeoutMs: number,
  ): Promise<void> {
    const { config, store, journal, recorder } = this.#options;
    const shutdown = this.#options.shutdown;
    const action = this.#options.actions[job.plan.action];
    const started = performance.now();
    let prepared: PreparedAttempt | undefined;
    let failure: unknown;
    try {
      prepared = await withTimeout(
        (signal) => action.prepare(job.plan, signal),
        timeoutMs,
        job.plan,
        shutdown,
      );
    } catch (error) {
      if (error instanceof NotAllowedError) {
        recorder.recordJob('skipped', job, {
          reason: error.reason,
          error: error.message,
        });
        this.#options.logger.warn(
          { event: 'heal_target_not_allowed', ...jobLogFields(job), err: error },
          error.message,
        );
        await this.#options.done(job);
        return;
      }
      failure = error;
    }
    if (failure instanceof ActionInterruptedError) {
      recorder.recordJob('skipped', job, { reason: 'stopping' });
      await this.#options.unclaim(job);
      return;
    }
    const delayMs = Math.round((started - job.receivedAt) * 1000) / 1000;
    if (this.dryRun(job)) {
      const error = failure === undefined ? undefined : (failure as Error).message;
      recorder.recordJob('dry_run', job, { reason: 'dry_run', error }, delayMs);
      await this.#options.done(job);
      return;
    }

    const now = this.#options.clock.now();
    const cooldownMs = (job.rule.cooldown ?? config.default_cooldown) * 1000;
    // Durable before anything happens: a crash from here on leaves an open attempt.
    const record = await journal.start(job, timeoutMs, cooldownKey, cooldownMs, now);
    const attempted = recordAttempt(state, now, this.#options.backoff);
    await store.putTarget(job.plan.targetKey, attempted);
    if (cooldownMs > 0) await store.set(cooldownKey, job.episodeKey, cooldownMs);
    this.#attempts += 1;
    this.#inFlight += 1;
    this.#options.metrics.inFlight.inc();
    recorder.recordJob('started', job, {}, delayMs);
    const cancel = job.rule.cancel_on_resolve ? new AbortController() : undefined;
    if (cancel) this.#cancellers.set(job, cancel);
    // The healer stopping interrupts the attempt; its alert resolving cancels it.
    const abort = cancel ? AbortSignal.any([shutdown, cancel.signal]) : shutdown;
    let spawned: Promise<void> | undefined;
    try {
      if (prepared && failure === undefined) {
        const attempt = prepared;
        await withTimeout(
          (signal) =>
            attempt.run(signal, {
              marker: journal.marker(record),
              onSpawn: (pgid) => {
                spawned = journal.spawned(record, pgid);
              },
            }),
          timeoutMs,
          job.plan,
          abort,
        );
        const deadline = Date.now() + config.verify_timeout * 1000;
        await withTimeout(
          (signal) => this.#verify(job, attempt, deadline, signal),
          config.verify_timeout * 1000 + 5_000,
          job.plan,
          abort,
        );
      }
    } catch (error) {
      failure = error;
    }
    // In flight until its outcome is journaled and recorded: /status never shows an
    // attempt that is neither running nor concluded.
    try {
      await spawned;
      await this.#conclude(
        job,
        record,
        attempted,
        failure,
        started,
        prepared?.verify !== undefined,
      );
    } finally {
      this.#cancellers.delete(job);
      this.#inFlight -= 1;
      this.#options.metrics.inFlight.dec();
    }
  }

  /** Journals and records the outcome of an attempt that ran, and what follows it: done, a retry, the circuit. */
  async #conclude(
    job: Job,
    record: StartedRecord,
    attempted: TargetState,
    failure: unknown,
    started: number,
    /** Whether the action checks its own effect (else only a rule's probe_url can). */
    verifiable: boolean,
  ): Promise<void> {
    const { config, journal, recorder, logger, clock } = this.#options;
    const seconds = (performance.now() - started) / 1000;
    this.#options.metrics.duration.observe({ action: job.plan.action }, seconds);
    if (failure instanceof ActionInterruptedError) {
      // Stopped, not failed: the episode is left to its next delivery, which re-runs it once.
      await journal.finish(record, 'interrupted', false, clock.now());
      recorder.recordJob('interrupted', job, {
        reason: 'stopping',
        duration_seconds: seconds,
        orphan: record.pgid === undefined ? 'none' : 'killed',
      });
      await this.#options.unclaim(job);
      return;
    }
    // Neither success nor failure: no circuit, no retry; the attempt's start stays as backoff's.
    if (failure instanceof ActionCancelledError) {
      this.#cancelled += 1;
      await journal.finish(record, 'cancelled', true, clock.now());
      recorder.recordJob('cancelled', job, {
        reason: 'resolved',
        duration_seconds: seconds,
        error: failure.message,
      });
      await this.#options.done(job);
      return;
    }
    const success = failure === undefined;
    // Done without a check that could have failed: not counted as a verified success.
    const unverified = success && !verifiable && !job.rule.probe_url;
    const finishedAt = clock.now();
    const outcome = recordOutcome(attempted, success, finishedAt, this.#options.circuit);
    // Backoff counts from the end of the last attempt, as the kubelet's counts from a
    // container's exit: an attempt that took longer than the delay must not make the
    // retry start at once.
    const history = { ...outcome.history, last_attempt_ms: finishedAt };
    const { opened } = outcome;
    const final =
      success ||
      opened ||
      isLastAttempt(job, config.default_max_attempts) ||
      this.#options.stopping();
    await journal.finish(record, success ? 'succeeded' : 'failed', final, finishedAt);
    try {
      await this.#options.store.putTarget(job.plan.targetKey, history);
    } catch (error) {
      // The action happened: never retry it because its outcome could not be stored.
      logger.error(
        { event: 'heal_outcome_not_stored', ...jobLogFields(job), err: error },
        'could not store the outcome of an action',
      );
    }
    if (final) await this.#options.done(job);
    if (success) {
      // Counted as it is recorded, so /status and the audit agree at every moment.
      if (unverified) this.#unverified += 1;
      else this.#verified += 1;
      this.#options.setCircuit(job.plan.targetKey, false);
      recorder.recordJob(unverified ? 'unverified' : 'succeeded', job, {
        duration_seconds: seconds,
      });
      return;
    }
    const timedOut = failure instanceof ActionTimeoutError;
    const failed = recorder.recordJob('failed', job, {
      reason: timedOut ? 'timeout' : 'failure',
      duration_seconds: seconds,
      error: (failure as Error).message,
    });
    if (opened) {
      this.#options.setCircuit(job.plan.targetKey, true);
      recorder.circuitOpened(failed, history.circuit_open_until_ms);
      logger.error(
        {
          event: 'heal_circuit_opened',
          ...jobLogFields(job),
          consecutive_failures: history.consecutive_failures,
          open_until: new Date(history.circuit_open_until_ms).toISOString(),
        },
        `circuit opened on ${job.plan.targetKey}: the healer leaves it alone; a human is needed`,
      );
      return;
    }
    if (final) return;
    const retry = { ...job, attempt: job.attempt + 1 };
    // Re-queued at once: the backoff check defers it, and records why.
    if (this.#options.stopping()) recorder.recordJob('skipped', retry, { reason: 'stopping' });
    else this.#options.requeue(retry);
  }

  async #verify(
    job: Job,
    attempt: PreparedAttempt,
    deadlineMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    await attempt.verify?.(deadlineMs, signal);
    if (job.rule.probe_url !== undefined) {
      await waitForProbe(job.rule.probe_url, deadlineMs, signal);
    }
  }
}
