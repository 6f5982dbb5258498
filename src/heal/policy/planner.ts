/**
 * From an alert to what the healer would do: the rules its labels select, each with its
 * templates rendered. This is pure and synchronous, so the webhook can judge a whole
 * notification before changing anything, and refuse it when a label is unsafe.
 */
import type { RecoveryConfig } from '../../config/recovery.js';
import type { ActionPlan } from '../actions/action.js';
import { alertEnvironment } from '../actions/alert-env.js';
import { MissingLabelError } from '../errors.js';
import type { LabelCheck } from '../receive/label-safety.js';
import { type ActionName, type Policy, type Rule, selectRules } from './policy.js';
import { renderTemplate } from './template.js';

/** An alert as the healer needs it, from Alertmanager or from the local loop. */
export interface HealAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  /** Alertmanager's annotations (summary, description, runbook_url, ...); none for local alerts. */
  annotations?: Record<string, string>;
  startsAt: string;
  fingerprint: string;
  source: 'webhook' | 'local';
}

/** Why every rule an alert matches is held back now: healing paused, or the alert silenced. */
export interface Hold {
  skip: 'maintenance' | 'silenced';
  detail: string;
}

export type RuleVerdict =
  | { rule: Rule; plan: ActionPlan }
  | { rule: Rule; skip: 'disabled' | 'missing_label' | Hold['skip']; detail: string };

export interface PlannedAlert {
  alert: HealAlert;
  /** performance.now() when the alert arrived: the start of the notification-to-action delay. */
  receivedAt: number;
  /** Empty for a resolved alert or one no rule matches. */
  verdicts: RuleVerdict[];
}

type Switch =
  | 'enable_docker_recovery'
  | 'enable_cache_recovery'
  | 'enable_service_recovery'
  | 'enable_exec_recovery';

const SWITCHES: Record<ActionName, Switch> = {
  docker_restart: 'enable_docker_recovery',
  cache_flush: 'enable_cache_recovery',
  service_restart: 'enable_service_recovery',
  exec: 'enable_exec_recovery',
};

export type PlannerConfig = Pick<RecoveryConfig, Switch | 'docker_endpoints'>;

/** Plans one alert; throws UnsafeLabelError when a label the rules would use is unsafe. */
export function planAlert(
  alert: HealAlert,
  policy: Policy,
  config: PlannerConfig,
  check: LabelCheck,
  receivedAt: number,
  hold?: (alert: HealAlert) => Hold | undefined,
): PlannedAlert {
  if (alert.status === 'resolved') return { alert, receivedAt, verdicts: [] };
  const held = hold?.(alert);
  if (held) {
    const verdicts = selectRules(policy, alert.labels).map((rule) => ({ rule, ...held }));
    return { alert, receivedAt, verdicts };
  }
  const verdicts = selectRules(policy, alert.labels).map((rule): RuleVerdict => {
    if (!config[SWITCHES[rule.action]]) {
      return { rule, skip: 'disabled', detail: `recovery.${SWITCHES[rule.action]} is false` };
    }
    try {
      const target = renderTemplate(rule.target, alert.labels, check);
      const argv = rule.argv?.map((arg) => renderTemplate(arg, alert.labels, check));
      const verifyArgv = rule.verify_command?.map((arg) =>
        renderTemplate(arg, alert.labels, check),
      );
      const instance = alert.labels.instance;
      const endpoint =
        rule.action === 'docker_restart' &&
        instance !== undefined &&
        Object.hasOwn(config.docker_endpoints, instance)
          ? instance
          : undefined;
      const plan: ActionPlan = {
        action: rule.action,
        target,
        targetKey: `${rule.action}:${endpoint === undefined ? '' : `${endpoint}/`}${target}`,
        ...(argv ? { argv } : {}),
        ...(argv || verifyArgv ? { env: alertEnvironment(alert) } : {}),
        ...(verifyArgv ? { verifyArgv } : {}),
        ...(endpoint === undefined ? {} : { dockerHost: config.docker_endpoints[endpoint] }),
      };
      return { rule, plan };
    } catch (error) {
      if (error instanceof MissingLabelError)
        return { rule, skip: 'missing_label', detail: error.message };
      throw error;
    }
  });
  return { alert, receivedAt, verdicts };
}
