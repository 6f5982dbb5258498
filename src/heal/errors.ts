/** The healer's named errors: each code is what logs, audit entries and tests match on. */
import { SentinelError } from '../errors.js';

/** A label value that would land in a target or argv slot and does not look safe. */
export class UnsafeLabelError extends SentinelError {
  readonly label: string;
  constructor(label: string, value: string, pattern: string) {
    super(
      'AEGIS_HEAL_UNSAFE_LABEL',
      `label ${label} value ${JSON.stringify(value)} does not match the safe pattern ${pattern}`,
    );
    this.label = label;
  }
}

/** A template names a label the alert does not carry. */
export class MissingLabelError extends SentinelError {
  readonly label: string;
  constructor(label: string) {
    super(
      'AEGIS_HEAL_MISSING_LABEL',
      `the alert has no label ${label}, which the rule's template needs`,
    );
    this.label = label;
  }
}

/**
 * The action or its target is not on the operator's allowlist (or the container did not
 * opt in). `reason` is the audit's skip reason: `not_allowed`, or for a container a person
 * wants left alone, `opted_out` (its opt-out label) or `stopped_by_user`.
 */
export class NotAllowedError extends SentinelError {
  readonly reason: 'not_allowed' | 'opted_out' | 'stopped_by_user';
  constructor(message: string, reason: NotAllowedError['reason'] = 'not_allowed') {
    super('AEGIS_HEAL_NOT_ALLOWED', message);
    this.reason = reason;
  }
}

/** The action did not finish within its timeout and was aborted. */
export class ActionTimeoutError extends SentinelError {
  constructor(action: string, target: string, seconds: number) {
    super('AEGIS_HEAL_ACTION_TIMEOUT', `${action} on ${target} did not finish within ${seconds}s`);
  }
}

/** The running attempt was aborted because its alert resolved (a rule's `cancel_on_resolve`). */
export class ActionCancelledError extends SentinelError {
  constructor(action: string, target: string) {
    super(
      'AEGIS_HEAL_ACTION_CANCELLED',
      `${action} on ${target} was cancelled: its alert resolved`,
    );
  }
}

/** The action ran but its effect was not seen within the verification deadline. */
export class VerificationError extends SentinelError {
  constructor(message: string) {
    super('AEGIS_HEAL_NOT_VERIFIED', message);
  }
}

/** systemd is not the init system here, so units cannot be restarted. */
export class SystemdUnavailableError extends SentinelError {
  constructor(unit: string) {
    super(
      'AEGIS_HEAL_NO_SYSTEMD',
      `cannot restart ${unit}: systemd is not running on this host (no /run/systemd/system)`,
    );
  }
}

/** A command run by `exec` or `systemctl` exited non-zero or could not start. */
export class CommandFailedError extends SentinelError {
  constructor(message: string, options?: ErrorOptions) {
    super('AEGIS_HEAL_COMMAND_FAILED', message, options);
  }
}

/** The shared state store (Redis) cannot be reached: the healer acts on nothing until it can. */
export class StateStoreUnavailableError extends SentinelError {
  constructor(message: string, options?: ErrorOptions) {
    super('AEGIS_HEAL_STATE_STORE_DOWN', message, options);
  }
}

/** The healer is stopping: a running action was cut short (its process group killed). */
export class ActionInterruptedError extends SentinelError {
  constructor() {
    super('AEGIS_HEAL_INTERRUPTED', 'the healer is stopping: the action was interrupted');
  }
}

/** Redis came back without the healer's epoch marker: it lost the episodes that keep healing exactly-once. */
export class StateStoreLostError extends SentinelError {
  constructor(message: string) {
    super('AEGIS_HEAL_STATE_STORE_LOST', message);
  }
}
