/**
 * The one place a healing decision becomes an audit entry, a log line and metrics, so
 * every decision, taken or skipped, is recorded the same way and says why.
 */
import type { Logger } from '../../logger.js';
import type { HealAnnouncements } from '../announce/heal-announcements.js';
import type { AuditEntry, AuditLog, Decision } from '../audit/audit-log.js';
import type { HealMetrics } from '../heal-metrics.js';
import type { HealAlert } from '../policy/planner.js';
import type { StartedRecord } from '../state/journal.js';
import type { Clock } from './clock.js';
import type { DecisionDetail, Job } from './job.js';

export interface DecisionRecorderOptions {
  audit: AuditLog;
  metrics: HealMetrics;
  logger: Logger;
  clock: Clock;
  /** Tells people (through Alertmanager) about actions and circuits; never blocks. */
  announcements?: HealAnnouncements;
}

export class DecisionRecorder {
  readonly #options: DecisionRecorderOptions;

  constructor(options: DecisionRecorderOptions) {
    this.#options = options;
  }

  /** A decision on an alert before it has a job: resolved, unmatched, refused. */
  record(decision: Decision, alert: HealAlert, detail: DecisionDetail): AuditEntry {
    return this.#emit(this.#entry(decision, alert, detail, undefined));
  }

  /** A decision on a job; `dispatchDelayMs` goes to the log line of the action's start (or dry run). */
  recordJob(
    decision: Decision,
    job: Job,
    detail: DecisionDetail = {},
    dispatchDelayMs?: number,
  ): AuditEntry {
    const entry = this.#emit(this.#entry(decision, job.alert, detail, job), dispatchDelayMs);
    this.#options.announcements?.decision(entry, job);
    return entry;
  }

  /** A circuit opened by the attempt `failed` records; it stays open until `untilMs`. */
  circuitOpened(failed: AuditEntry, untilMs: number): void {
    this.#options.announcements?.circuitOpened(failed, untilMs);
  }

  /**
   * An attempt the journal shows started and never finished, closed as interrupted:
   * `reason` says how (`crashed`: its healer died), `orphan` what became of its process group.
   */
  recordInterrupted(
    record: StartedRecord,
    reason: string,
    orphan: string,
    over: boolean,
  ): AuditEntry {
    const alert: HealAlert = {
      status: 'firing',
      labels: { alertname: record.alertname },
      startsAt: record.starts_at,
      fingerprint: record.fingerprint,
      source: record.source,
    };
    const entry = this.#entry('interrupted', alert, { reason, orphan }, undefined);
    entry.rerun = !over;
    entry.rule = record.rule;
    entry.action = record.action;
    entry.target = record.target;
    entry.attempt = record.attempt;
    return this.#emit(entry);
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
      orphan: detail.orphan,
      rerun: undefined,
    };
  }

  /** The one place a decision becomes an audit entry, a log line and metrics. */
  #emit(entry: AuditEntry, dispatchDelayMs?: number): AuditEntry {
    const { decision } = entry;
    this.#options.audit.append(entry);
    const { metrics, logger } = this.#options;
    // The log line has its own time; the entry's would be a second "time" key. Lines at
    // debug are built only when debug is written: a storm makes one per alert.
    const line = (): Record<string, unknown> => ({
      ...entry,
      time: undefined,
      dispatch_delay_ms: dispatchDelayMs,
      event: EVENTS[decision],
    });
    switch (decision) {
      case 'skipped':
      case 'deferred':
        metrics.skips.inc({ reason: entry.reason });
        // A redelivery, an alert no rule wants, a resolution: one line per alert at
        // debug, since the notification's summary (heal_notification_received) counts
        // them at info; a storm of them cost more in log lines than in healing.
        if (!QUIET_REASONS.has(entry.reason as string))
          logger.info(line(), `healing skipped: ${entry.reason}`);
        else if (logger.isLevelEnabled('debug'))
          logger.debug(line(), `healing skipped: ${entry.reason}`);
        break;
      case 'dry_run':
        metrics.skips.inc({ reason: 'dry_run' });
        metrics.actions.inc({ action: entry.action, result: 'dry_run' });
        // At info: what the healer would have done is what a dry run is for. In a
        // 100,000-alert storm it keeps /healthz p99 at 25 ms, against 20 at debug
        // (`npm run bench:storm`, docs/benchmarks.md).
        logger.info(line(), `dry run: would run ${entry.action} on ${entry.target}`);
        break;
      case 'started':
        logger.info(line(), `healing: ${entry.action} on ${entry.target}`);
        break;
      case 'succeeded':
        metrics.actions.inc({ action: entry.action, result: 'success' });
        logger.info(line(), `healed: ${entry.action} on ${entry.target} verified`);
        break;
      case 'unverified':
        metrics.actions.inc({ action: entry.action, result: 'unverified' });
        logger.info(line(), `done, unverified: ${entry.action} on ${entry.target} has no check`);
        break;
      case 'cancelled':
        metrics.actions.inc({ action: entry.action, result: 'cancelled' });
        logger.info(line(), `cancelled: ${entry.action} on ${entry.target}: its alert resolved`);
        break;
      case 'failed':
        metrics.actions.inc({
          action: entry.action,
          result: entry.reason === 'timeout' ? 'timeout' : 'failure',
        });
        logger.warn(line(), `healing failed: ${entry.action} on ${entry.target}: ${entry.error}`);
        break;
      case 'interrupted':
        metrics.actions.inc({ action: entry.action, result: 'interrupted' });
        logger.warn(
          line(),
          `healing interrupted (${entry.reason}): ${entry.action} on ${entry.target}` +
            (entry.orphan ? `, its process group: ${entry.orphan}` : ''),
        );
        break;
    }
    return entry;
  }
}

/** Skips logged per alert at debug only; the audit has each of them. */
const QUIET_REASONS: ReadonlySet<string> = new Set(['duplicate', 'no_match', 'resolved']);

const EVENTS: Record<Decision, string> = {
  skipped: 'heal_action_skipped',
  deferred: 'heal_action_deferred',
  dry_run: 'heal_action_skipped',
  started: 'heal_action_started',
  succeeded: 'heal_action_succeeded',
  unverified: 'heal_action_unverified',
  cancelled: 'heal_action_cancelled',
  failed: 'heal_action_failed',
  interrupted: 'heal_action_interrupted',
};
