/**
 * The dispatcher: claims alert episodes, queues the planned actions and runs them, one
 * at a time per target and at most `max_concurrent_actions` at once, each bounded by
 * its timeout, verified, and followed by backoff, retries and the circuit.
 *
 * submit() only claims and enqueues, so the webhook answers in milliseconds; everything
 * slow happens in run jobs afterwards. Every decision goes to the audit, the log and the
 * metrics through one place, #record.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { RecoveryConfig } from '../../config/recovery.js';
import type { Logger } from '../../logger.js';
import type { HealAction, PreparedAttempt } from '../actions/action.js';
import { waitForProbe } from '../actions/probe.js';
import type { AuditEntry, AuditLog } from '../audit/audit-log.js';
import { type BackoffSettings, nextAttemptAt, recordAttempt } from './backoff.js';
import { type CircuitSettings, isOpen, recordOutcome } from './circuit-breaker.js';
import type { Clock, Timer } from './clock.js';
import type { HealAnnouncements } from '../announce/heal-announcements.js';
import { DecisionRecorder } from './decision-recorder.js';
import { ReadyQueue } from './ready-queue.js';
import { type DecisionDetail, type Job, jobLogFields } from './job.js';
import { withTimeout } from './with-timeout.js';
import {
  ActionCancelledError,
  ActionTimeoutError,
  NotAllowedError,
  StateStoreUnavailableError,
  type UnsafeLabelError,
} from '../errors.js';
import type { HealMetrics } from '../heal-metrics.js';
import type { HealAlert, PlannedAlert } from '../policy/planner.js';
import type { ActionName } from '../policy/policy.js';
import type { StateStore, TargetState } from '../state/state-store.js';

/** How long a job waits before asking again for a target another replica is healing. */
const LOCK_RETRY_MS = 500;

/**
 * Longest stretch submit() works through a notification's alerts, and the pump through
 * queued jobs, before they let the event loop serve other requests: a storm of
 * 1,000-alert notifications otherwise held /healthz and /metrics for hundreds of
 * milliseconds (`npm run bench:storm`).
 */
const SLICE_MS = 5;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
}

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #config: RecoveryConfig;
  readonly #store: StateStore;
  readonly #backoff: BackoffSettings;
  readonly #circuit: CircuitSettings;
  readonly #replica = randomUUID();
  readonly #ready = new ReadyQueue<Job>();
  readonly #scheduled = new Map<Job, Timer>();
  /** The job running on each busy target, one at a time per target. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #openCircuits = new Set<string>();
  readonly #recorder: DecisionRecorder;
  #stopping = false;
  #pumpScheduled = false;
  /** When the pump's current turn of the event loop began (see #pumpSoon). */
  #turnStarted = 0;
  #attempts = 0;
  #verified = 0;
  #unverified = 0;
  #cancelled = 0;
  /** Running attempts of `cancel_on_resolve` rules: aborted when their alert resolves. */
  readonly #cancellers = new Map<Job, AbortController>();
  #inFlight = 0;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#store = options.store;
    this.#recorder = new DecisionRecorder(options);
    this.#backoff = {
      initialMs: this.#config.backoff_initial * 1000,
      maxMs: this.#config.backoff_max * 1000,
      resetMs: this.#config.backoff_reset * 1000,
    };
    this.#circuit = {
      threshold: this.#config.circuit_failure_threshold,
      openMs: this.#config.circuit_open_duration * 1000,
    };
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
      attempts: this.#attempts,
      verified: this.#verified,
      unverified: this.#unverified,
      cancelled: this.#cancelled,
      inFlight: this.#inFlight,
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
    let sliceStart = performance.now();
    for (const { alert, receivedAt, verdicts } of planned) {
      if (performance.now() - sliceStart > SLICE_MS) {
        // Queued jobs may start meanwhile: they are this notification's, already claimed.
        this.#pump();
        await nextTurn();
        sliceStart = performance.now();
      }
      const resolvedKey = `resolved:${alert.fingerprint}:${alert.startsAt}`;
      if (alert.status === 'resolved') {
        // Cancelled here first: this replica's retries stop even when the store is down.
        this.#drop('resolved', (job) => job.resolvedKey === resolvedKey);
        for (const [job, cancel] of this.#cancellers) {
          if (job.resolvedKey === resolvedKey)
            cancel.abort(new ActionCancelledError(job.plan.action, job.plan.targetKey));
        }
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
        const claimed = await this.#store.setIfAbsent(
          episodeKey,
          this.#replica,
          this.#config.episode_ttl * 1000,
        );
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

  /** Stops taking work, drops queued and scheduled jobs, and waits for running ones to finish or time out. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#drop('stopping', () => true);
    await Promise.all(this.#running.values());
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

  /** Drops the scheduled and queued jobs `match` picks, each recorded as skipped for `reason`. */
  #drop(reason: 'stopping' | 'resolved', match: (job: Job) => boolean): void {
    for (const [job, timer] of this.#scheduled) {
      if (!match(job)) continue;
      timer.cancel();
      this.#scheduled.delete(job);
      this.#recorder.recordJob('skipped', job, { reason });
    }
    for (const job of this.#ready.drop(match)) this.#recorder.recordJob('skipped', job, { reason });
  }

  /**
   * Runs `job` again after `delayMs`, recording `deferral` first when given; once
   * stopping, records the job as skipped instead.
   */
  #schedule(job: Job, delayMs: number, deferral?: DecisionDetail): void {
    // A job that was running when stop() cleared the timers must not set a new one.
    if (this.#stopping) {
      this.#recorder.recordJob('skipped', job, { reason: 'stopping' });
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
   * Pumps at once while this turn of the event loop has run for less than SLICE_MS,
   * else on the next turn, once however many jobs finish before it: jobs that finish
   * without waiting on I/O (dry runs, skips, the memory store) would otherwise start the
   * next ones in one unbroken chain of microtasks, and hold every other request until
   * the whole queue is done.
   */
  #pumpSoon(): void {
    if (performance.now() - this.#turnStarted < SLICE_MS) {
      this.#pump();
      return;
    }
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#turnStarted = performance.now();
      this.#pump();
    });
  }

  async #handle(job: Job): Promise<void> {
    const lockKey = `lock:${job.plan.targetKey}`;
    const owner = `${this.#replica}:${job.episodeKey}:${job.attempt}`;
    const timeoutMs = (job.rule.timeout ?? this.#config.action_timeout) * 1000;
    let locked = false;
    try {
      // Paused for maintenance: nothing runs, and a delivery after the pause may act.
      if (this.#options.paused?.()) {
        await this.#release(job, 'maintenance');
        return;
      }
      // Another replica may have resolved the episode while this job waited (in the
      // queue behind a busy target, for a lock, for its backoff, or as a retry).
      if (await this.#store.exists(job.resolvedKey)) {
        this.#recorder.recordJob('skipped', job, { reason: 'resolved' });
        return;
      }
      // A dry run changes nothing, so it needs no lock: it only reads the gates.
      if (!this.#dryRun(job)) {
        // Outlives the longest attempt, so a replica that dies holding it blocks nobody for long.
        const lockTtlMs = timeoutMs * 2 + this.#config.verify_timeout * 1000 + 30_000;
        locked = await this.#store.setIfAbsent(lockKey, owner, lockTtlMs);
        if (!locked) {
          this.#schedule(job, LOCK_RETRY_MS);
          return;
        }
      }
      const state = await this.#store.getTarget(job.plan.targetKey);
      const now = this.#options.clock.now();
      if (isOpen(state, now)) {
        this.#setCircuit(job.plan.targetKey, true);
        await this.#release(job, 'circuit_open');
        return;
      }
      const cooldownKey = `cooldown:${job.rule.name}:${job.plan.targetKey}`;
      if (job.attempt === 1 && (await this.#store.exists(cooldownKey))) {
        await this.#release(job, 'cooldown');
        return;
      }
      const due = nextAttemptAt(state, now, this.#backoff);
      if (due > now) {
        this.#schedule(job, due - now, {
          reason: 'backoff',
          retry_at: new Date(due).toISOString(),
        });
        return;
      }
      await this.#attempt(job, state, cooldownKey, timeoutMs);
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
    await this.#store.delete(job.episodeKey);
    this.#recorder.recordJob('skipped', job, { reason });
  }

  async #attempt(
    job: Job,
    state: TargetState,
    cooldownKey: string,
    timeoutMs: number,
  ): Promise<void> {
    const action = this.#options.actions[job.plan.action];
    const started = performance.now();
    let prepared: PreparedAttempt | undefined;
    let failure: unknown;
    try {
      prepared = await withTimeout(
        (signal) => action.prepare(job.plan, signal),
        timeoutMs,
        job.plan,
      );
    } catch (error) {
      if (error instanceof NotAllowedError) {
        this.#recorder.recordJob('skipped', job, {
          reason: error.reason,
          error: error.message,
        });
        this.#options.logger.warn(
          { event: 'heal_target_not_allowed', ...jobLogFields(job), err: error },
          error.message,
        );
        return;
      }
      failure = error;
    }
    const delayMs = Math.round((started - job.receivedAt) * 1000) / 1000;
    if (this.#dryRun(job)) {
      const error = failure === undefined ? undefined : (failure as Error).message;
      this.#recorder.recordJob('dry_run', job, { reason: 'dry_run', error }, delayMs);
      return;
    }

    const now = this.#options.clock.now();
    const attempted = recordAttempt(state, now, this.#backoff);
    await this.#store.putTarget(job.plan.targetKey, attempted);
    const cooldownMs = (job.rule.cooldown ?? this.#config.default_cooldown) * 1000;
    if (cooldownMs > 0) await this.#store.set(cooldownKey, job.episodeKey, cooldownMs);
    this.#attempts += 1;
    this.#inFlight += 1;
    this.#options.metrics.inFlight.inc();
    this.#recorder.recordJob('started', job, {}, delayMs);
    const cancel = job.rule.cancel_on_resolve ? new AbortController() : undefined;
    if (cancel) this.#cancellers.set(job, cancel);
    try {
      if (prepared && failure === undefined) {
        const attempt = prepared;
        await withTimeout((signal) => attempt.run(signal), timeoutMs, job.plan, cancel?.signal);
        const deadline = Date.now() + this.#config.verify_timeout * 1000;
        await withTimeout(
          (signal) => this.#verify(job, attempt, deadline, signal),
          this.#config.verify_timeout * 1000 + 5_000,
          job.plan,
          cancel?.signal,
        );
      }
    } catch (error) {
      failure = error;
    } finally {
      this.#cancellers.delete(job);
      this.#inFlight -= 1;
      this.#options.metrics.inFlight.dec();
    }
    const seconds = (performance.now() - started) / 1000;
    this.#options.metrics.duration.observe({ action: job.plan.action }, seconds);
    // Neither success nor failure: no circuit, no retry; the attempt's start stays as backoff's.
    if (failure instanceof ActionCancelledError) {
      this.#cancelled += 1;
      this.#recorder.recordJob('cancelled', job, {
        reason: 'resolved',
        duration_seconds: seconds,
        error: failure.message,
      });
      return;
    }
    const success = failure === undefined;
    // Done without a check that could have failed: not counted as a verified success.
    const unverified = success && prepared?.verify === undefined && !job.rule.probe_url;
    if (unverified) this.#unverified += 1;
    else if (success) this.#verified += 1;
    const finishedAt = this.#options.clock.now();
    const outcome = recordOutcome(attempted, success, finishedAt, this.#circuit);
    // Backoff counts from the end of the last attempt, as the kubelet's counts from a
    // container's exit: an attempt that took longer than the delay must not make the
    // retry start at once.
    const history = { ...outcome.history, last_attempt_ms: finishedAt };
    const { opened } = outcome;
    try {
      await this.#store.putTarget(job.plan.targetKey, history);
    } catch (error) {
      // The action happened: never retry it because its outcome could not be stored.
      this.#options.logger.error(
        { event: 'heal_outcome_not_stored', ...jobLogFields(job), err: error },
        'could not store the outcome of an action',
      );
    }
    if (success) {
      this.#setCircuit(job.plan.targetKey, false);
      this.#recorder.recordJob(unverified ? 'unverified' : 'succeeded', job, {
        duration_seconds: seconds,
      });
      return;
    }
    const timedOut = failure instanceof ActionTimeoutError;
    const failed = this.#recorder.recordJob('failed', job, {
      reason: timedOut ? 'timeout' : 'failure',
      duration_seconds: seconds,
      error: (failure as Error).message,
    });
    if (opened) {
      this.#setCircuit(job.plan.targetKey, true);
      this.#recorder.circuitOpened(failed, history.circuit_open_until_ms);
      this.#options.logger.error(
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
    const maxAttempts = job.rule.max_attempts ?? this.#config.default_max_attempts;
    if (job.attempt >= maxAttempts) return;
    const retry = { ...job, attempt: job.attempt + 1 };
    // Re-queued at once: the backoff check defers it, and records why.
    if (this.#stopping) this.#recorder.recordJob('skipped', retry, { reason: 'stopping' });
    else this.#ready.add(retry);
  }

  #dryRun(job: Job): boolean {
    return this.#config.dry_run || job.rule.dry_run;
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
