/** A planned action on its way through the dispatcher, and what a decision on it records. */
import type { ActionPlan } from '../actions/action.js';
import type { HealAlert } from '../policy/planner.js';
import type { Rule } from '../policy/policy.js';

export interface Job {
  alert: HealAlert;
  rule: Rule;
  plan: ActionPlan;
  attempt: number;
  receivedAt: number;
  episodeKey: string;
  resolvedKey: string;
  /** The episode's journal was read (once, under the target's lock, before the first attempt here). */
  journalRead?: boolean;
}

/** What a decision adds to its alert (and job) in the audit. */
export interface DecisionDetail {
  reason?: string;
  /** For decisions without a job: the rule and action they concern. */
  rule?: string;
  action?: string;
  retry_at?: string;
  duration_seconds?: number;
  error?: string;
  orphan?: string;
}

/** The fields every log line about a job carries. */
export function jobLogFields(job: Job): Record<string, unknown> {
  return {
    action: job.plan.action,
    target: job.plan.targetKey,
    alertname: job.alert.labels.alertname,
    fingerprint: job.alert.fingerprint,
    rule: job.rule.name,
    attempt: job.attempt,
  };
}

/** Whether `job` is its rule's last allowed attempt (`max_attempts`, else the default). */
export function isLastAttempt(job: Job, defaultMaxAttempts: number): boolean {
  return job.attempt >= (job.rule.max_attempts ?? defaultMaxAttempts);
}
