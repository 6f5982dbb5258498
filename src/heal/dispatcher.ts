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
import type { RecoveryConfig } from '../config/recovery.js';
import type { Logger } from '../logger.js';
import type { ActionPlan, HealAction, PreparedAttempt } from './actions/action.js';
import { waitForProbe } from './actions/probe.js';
import type { AuditEntry, AuditLog, Decision } from './audit-log.js';
import { type BackoffSettings, nextAttemptAt, recordAttempt } from './backoff.js';
import { type CircuitSettings, isOpen, recordOutcome } from './circuit-breaker.js';
import type { Clock, Timer } from './clock.js';
import {
  ActionTimeoutError,
  NotAllowedError,
  StateStoreUnavailableError,
  type UnsafeLabelError,
} from './errors.js';
import type { HealMetrics } from './heal-metrics.js';
import type { HealAlert, PlannedAlert } from './planner.js';
import type { ActionName, Rule } from './policy.js';
import type { StateStore, TargetState } from './state-store.js';

/** How long a job waits before asking again for a target another replica is healing. */
const LOCK_RETRY_MS = 500;

export interface AlertDecision {
  fingerprint: string;
  alertname: string;
  rule?: string;
  decision: 'queued' | 'skipped';
  reason?: string;
}

/** What a decision adds to its alert (and job) in the audit. */
interface DecisionDetail {
  reason?: string;
  /** For decisions without a job: the rule and action they concern. */
  rule?: string;
  action?: string;
  retry_at?: string;
  duration_seconds?: number;
  error?: string;
}

export interface DispatcherOptions {
  config: RecoveryConfig;
  store: StateStore;
  actions: Record<ActionName, HealAction>;
  audit: AuditLog;
  metrics: HealMetrics;
  logger: Logger;
  clock: Clock;
}

interface Job {
  alert: HealAlert;
  rule: Rule;
  plan: ActionPlan;
  attempt: number;
  receivedAt: number;
  episodeKey: string;
  resolvedKey: string;
}

export class Dispatcher {
  readonly #options: DispatcherOptions;
  readonly #config: RecoveryConfig;
  readonly #store: StateStore;
  readonly #backoff: BackoffSettings;
  readonly #circuit: CircuitSettings;
  readonly #replica = randomUUID();
  readonly #ready: Job[] = [];
  readonly #scheduled = new Map<Job, Timer>();
  /** The job running on each busy target, one at a time per target. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #openCircuits = new Set<string>();
  #stopping = false;
  #attempts = 0;
  #verified = 0;
  #inFlight = 0;

  constructor(options: DispatcherOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#store = options.store;
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

  get stats(): { attempts: number; verified: number; inFlight: number; openCircuits: string[] } {
    return {
      attempts: this.#attempts,
      verified: this.#verified,
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
    for (const { alert, receivedAt, verdicts } of planned) {
      const resolvedKey = `resolved:${alert.fingerprint}:${alert.startsAt}`;
      if (alert.status === 'resolved') {
        // Cancelled here first: this replica's retries stop even when the store is down.
        this.#drop('resolved', (job) => job.resolvedKey === resolvedKey);
        await this.#store.set(resolvedKey, '1', this.#config.episode_ttl * 1000);
        skipped(this.#record('skipped', alert, { reason: 'resolved' }));
        continue;
      }
      if (verdicts.length === 0) {
        skipped(this.#record('skipped', alert, { reason: 'no_match' }));
        continue;
      }
      for (const verdict of verdicts) {
        if ('skip' in verdict) {
          skipped(
            this.#record('skipped', alert, {
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
          skipped(this.#recordJob('skipped', job, { reason: 'stopping' }));
          continue;
        }
        const claimed = await this.#store.setIfAbsent(
          episodeKey,
          this.#replica,
          this.#config.episode_ttl * 1000,
        );
        if (!claimed) {
          skipped(this.#recordJob('skipped', job, { reason: 'duplicate' }));
          continue;
        }
        this.#ready.push(job);
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
    this.#record('skipped', alert, { reason: 'unsafe_label', error: error.message });
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
      this.#recordJob('skipped', job, { reason });
    }
    for (const job of this.#ready.splice(0)) {
      if (match(job)) this.#recordJob('skipped', job, { reason });
      else this.#ready.push(job);
    }
  }

  /**
   * Runs `job` again after `delayMs`, recording `deferral` first when given; once
   * stopping, records the job as skipped instead.
   */
  #schedule(job: Job, delayMs: number, deferral?: DecisionDetail): void {
    // A job that was running when stop() cleared the timers must not set a new one.
    if (this.#stopping) {
      this.#recordJob('skipped', job, { reason: 'stopping' });
      return;
    }
    if (deferral) this.#recordJob('deferred', job, deferral);
    const timer = this.#options.clock.setTimeout(() => {
      this.#scheduled.delete(job);
      this.#ready.push(job);
      this.#pump();
    }, delayMs);
    this.#scheduled.set(job, timer);
  }

  /** Starts ready jobs while there is capacity, skipping jobs whose target is busy here. */
  #pump(): void {
    if (this.#stopping) return;
    for (let index = 0; index < this.#ready.length;) {
      if (this.#running.size >= this.#config.max_concurrent_actions) return;
      const job = this.#ready[index] as Job;
      if (this.#running.has(job.plan.targetKey)) {
        index += 1;
        continue;
      }
      this.#ready.splice(index, 1);
      const running: Promise<void> = this.#handle(job)
        .catch((error: unknown) => {
          this.#options.logger.error(
            { event: 'heal_dispatch_failed', ...this.#logFields(job), err: error },
            'unexpected error while healing',
          );
        })
        .finally(() => {
          this.#running.delete(job.plan.targetKey);
          this.#pump();
        });
      this.#running.set(job.plan.targetKey, running);
    }
  }

  async #handle(job: Job): Promise<void> {
    const lockKey = `lock:${job.plan.targetKey}`;
    const owner = `${this.#replica}:${job.episodeKey}:${job.attempt}`;
    const timeoutMs = (job.rule.timeout ?? this.#config.action_timeout) * 1000;
    let locked = false;
    try {
      // Another replica may have resolved the episode while this job waited (in the
      // queue behind a busy target, for a lock, for its backoff, or as a retry).
      if (await this.#store.exists(job.resolvedKey)) {
        this.#recordJob('skipped', job, { reason: 'resolved' });
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
          ...this.#logFields(job),
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
            { event: 'heal_unlock_failed', ...this.#logFields(job), err: error },
            'could not release the target lock; it expires by itself',
          );
        });
      }
    }
  }

  /** A "not now" skip: the claim is released, so a later delivery of the episode can act. */
  async #release(job: Job, reason: 'circuit_open' | 'cooldown'): Promise<void> {
    await this.#store.delete(job.episodeKey);
    this.#recordJob('skipped', job, { reason });
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
        this.#recordJob('skipped', job, {
          reason: 'not_allowed',
          error: error.message,
        });
        this.#options.logger.warn(
          { event: 'heal_target_not_allowed', ...this.#logFields(job), err: error },
          error.message,
        );
        return;
      }
      failure = error;
    }
    const delayMs = Math.round((started - job.receivedAt) * 1000) / 1000;
    if (this.#dryRun(job)) {
      const error = failure === undefined ? undefined : (failure as Error).message;
      this.#recordJob('dry_run', job, { reason: 'dry_run', error }, delayMs);
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
    this.#recordJob('started', job, {}, delayMs);
    try {
      if (prepared && failure === undefined) {
        const attempt = prepared;
        await withTimeout((signal) => attempt.run(signal), timeoutMs, job.plan);
        const deadline = Date.now() + this.#config.verify_timeout * 1000;
        await withTimeout(
          (signal) => this.#verify(job, attempt, deadline, signal),
          this.#config.verify_timeout * 1000 + 5_000,
          job.plan,
        );
      }
    } catch (error) {
      failure = error;
    } finally {
      this.#inFlight -= 1;
      this.#options.metrics.inFlight.dec();
    }
    const seconds = (performance.now() - started) / 1000;
    this.#options.metrics.duration.observe({ action: job.plan.action }, seconds);
    const success = failure === undefined;
    if (success) this.#verified += 1;
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
        { event: 'heal_outcome_not_stored', ...this.#logFields(job), err: error },
        'could not store the outcome of an action',
      );
    }
    if (success) {
      this.#setCircuit(job.plan.targetKey, false);
      this.#recordJob('succeeded', job, { duration_seconds: seconds });
      return;
    }
    const timedOut = failure instanceof ActionTimeoutError;
    this.#recordJob('failed', job, {
      reason: timedOut ? 'timeout' : 'failure',
      duration_seconds: seconds,
      error: (failure as Error).message,
    });
    if (opened) {
      this.#setCircuit(job.plan.targetKey, true);
      this.#options.logger.error(
        {
          event: 'heal_circuit_opened',
          ...this.#logFields(job),
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
    if (this.#stopping) this.#recordJob('skipped', retry, { reason: 'stopping' });
    else this.#ready.push(retry);
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
    await attempt.verify(deadlineMs, signal);
    if (job.rule.probe_url !== undefined) {
      await waitForProbe(job.rule.probe_url, deadlineMs, signal);
    }
  }

  #logFields(job: Job): Record<string, unknown> {
    return {
      action: job.plan.action,
      target: job.plan.targetKey,
      alertname: job.alert.labels.alertname,
      fingerprint: job.alert.fingerprint,
      rule: job.rule.name,
      attempt: job.attempt,
    };
  }

  /** A decision on an alert before it has a job: resolved, unmatched, refused. */
  #record(decision: Decision, alert: HealAlert, detail: DecisionDetail): AuditEntry {
    return this.#emit(this.#entry(decision, alert, detail, undefined));
  }

  /** A decision on a job; `dispatchDelayMs` goes to the log line of the action's start (or dry run). */
  #recordJob(
    decision: Decision,
    job: Job,
    detail: DecisionDetail = {},
    dispatchDelayMs?: number,
  ): AuditEntry {
    return this.#emit(this.#entry(decision, job.alert, detail, job), dispatchDelayMs);
  }

  /**
   * Every entry has every field, in one order, the absent ones undefined (which JSON
   * leaves out): one object shape keeps this path, run for every decision, monomorphic.
   */
  #entry(
    decision: Decision,
    alert: HealAlert,
    detail: DecisionDetail,
    job: Job | undefined,
  ): AuditEntry {
    return {
      time: new Date(this.#options.clock.now()).toISOString(),
      decision,
      source: alert.source,
      alertname: alert.labels.alertname ?? '',
      fingerprint: alert.fingerprint,
      starts_at: alert.startsAt,
      rule: job ? job.rule.name : detail.rule,
      action: job ? job.plan.action : detail.action,
      target: job?.plan.targetKey,
      attempt: job?.attempt,
      argv: job?.plan.argv,
      reason: detail.reason,
      retry_at: detail.retry_at,
      duration_seconds: detail.duration_seconds,
      error: detail.error,
    };
  }

  /** The one place a decision becomes an audit entry, a log line and metrics. */
  #emit(entry: AuditEntry, dispatchDelayMs?: number): AuditEntry {
    const { decision } = entry;
    this.#options.audit.append(entry);
    const { metrics, logger } = this.#options;
    // The log line has its own time; the entry's would be a second "time" key.
    const line = {
      ...entry,
      time: undefined,
      dispatch_delay_ms: dispatchDelayMs,
      event: EVENTS[decision],
    };
    switch (decision) {
      case 'skipped':
      case 'deferred':
        metrics.skips.inc({ reason: entry.reason });
        logger.info(line, `healing skipped: ${entry.reason}`);
        break;
      case 'dry_run':
        metrics.skips.inc({ reason: 'dry_run' });
        metrics.actions.inc({ action: entry.action, result: 'dry_run' });
        logger.info(line, `dry run: would run ${entry.action} on ${entry.target}`);
        break;
      case 'started':
        logger.info(line, `healing: ${entry.action} on ${entry.target}`);
        break;
      case 'succeeded':
        metrics.actions.inc({ action: entry.action, result: 'success' });
        logger.info(line, `healed: ${entry.action} on ${entry.target} verified`);
        break;
      case 'failed':
        metrics.actions.inc({
          action: entry.action,
          result: entry.reason === 'timeout' ? 'timeout' : 'failure',
        });
        logger.warn(line, `healing failed: ${entry.action} on ${entry.target}: ${entry.error}`);
        break;
    }
    return entry;
  }
}

const EVENTS: Record<Decision, string> = {
  skipped: 'heal_action_skipped',
  deferred: 'heal_action_deferred',
  dry_run: 'heal_action_skipped',
  started: 'heal_action_started',
  succeeded: 'heal_action_succeeded',
  failed: 'heal_action_failed',
};

/**
 * Runs `work` with a signal aborted after `timeoutMs`, and stops waiting for it then even
 * if it ignores the signal (a hung Docker API call), rejecting with ActionTimeoutError.
 * One promise and one timer, no race: it runs around every action's prepare step.
 */
function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  plan: ActionPlan,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Built only when it happens: an Error's stack capture is not free on the hot path.
      const error = new ActionTimeoutError(plan.action, plan.targetKey, timeoutMs / 1000);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    let running: Promise<T>;
    try {
      running = work(controller.signal);
    } catch (error) {
      clearTimeout(timer);
      reject(error);
      return;
    }
    running.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
