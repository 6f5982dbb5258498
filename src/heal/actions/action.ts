/** What every healing action implements, and the plan the dispatcher hands it. */
import type { ActionName } from '../policy/policy.js';
import type { RunHooks } from './run-file.js';

/** One rule applied to one alert, with its templates rendered and checked. */
export interface ActionPlan {
  action: ActionName;
  /** The rendered target: container, cache name, unit, or exec's serialisation name. */
  target: string;
  /** Identifies the target across actions and replicas: locks, backoff and circuits key on it. */
  targetKey: string;
  /** exec only: the rendered argv. */
  argv?: string[];
  /** exec only: the alert as environment variables (alert-env.ts). */
  env?: Record<string, string>;
  /** exec and cache_flush: the rule's rendered `verify_command`. */
  verifyArgv?: string[];
  /**
   * docker_restart only: the Docker host `recovery.docker_endpoints` names for the alert's
   * `instance` label; absent, the action's default host.
   */
  dockerHost?: string;
}

/** One attempt, after the checks that need the outside world passed. */
export interface PreparedAttempt {
  /**
   * Does the action; bounded by the rule's timeout through `signal`. An action that runs
   * a program passes `hooks` to runFile, so the journal learns its process group.
   */
  run(signal: AbortSignal, hooks?: RunHooks): Promise<void>;
  /**
   * Resolves once the effect is seen; rejects with VerificationError at `deadlineMs` (Unix
   * ms). Absent when nothing checks the effect: the outcome is then `unverified`, unless
   * the rule's `probe_url` checks it.
   */
  verify?(deadlineMs: number, signal: AbortSignal): Promise<void>;
}

export interface HealAction {
  /**
   * Checks the target may be touched (throws NotAllowedError, and no attempt counts) and
   * reads what verification compares against.
   */
  prepare(plan: ActionPlan, signal: AbortSignal): Promise<PreparedAttempt>;
}
