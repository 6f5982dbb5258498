/**
 * `service_restart`: `systemctl restart UNIT` for units on the allowlist, then wait until
 * `systemctl is-active UNIT` says active. Where systemd is not the init system (a
 * container, this CI machine) it fails at once with SystemdUnavailableError instead of
 * systemctl's "Failed to connect to bus".
 */
import { existsSync } from 'node:fs';
import { NotAllowedError, SystemdUnavailableError } from '../errors.js';
import type { ActionPlan, HealAction, PreparedAttempt } from './action.js';
import { pollUntil } from './poll.js';
import { runFile } from './run-file.js';

/** sd_booted(3)'s test: this directory exists only when systemd is PID 1. */
const SYSTEMD_MARKER = '/run/systemd/system';

export interface ServiceRestartOptions {
  allowedUnits: readonly string[];
}

export class ServiceRestartAction implements HealAction {
  readonly #allowed: ReadonlySet<string>;

  constructor(options: ServiceRestartOptions) {
    this.#allowed = new Set(options.allowedUnits);
  }

  async prepare(plan: ActionPlan): Promise<PreparedAttempt> {
    const unit = plan.target;
    if (!this.#allowed.has(unit))
      throw new NotAllowedError(`unit ${unit} is not in recovery.allowed_units`);
    return {
      run: async (signal, hooks) => {
        if (!existsSync(SYSTEMD_MARKER)) throw new SystemdUnavailableError(unit);
        await runFile('systemctl', ['restart', '--', unit], signal, undefined, hooks);
      },
      verify: (deadlineMs, signal) =>
        pollUntil(
          async () => {
            const state = await runFile('systemctl', ['is-active', '--', unit], signal).then(
              (output) => output.stdout.trim(),
              () => 'not active',
            );
            return state === 'active' ? undefined : `unit ${unit} is ${state}`;
          },
          deadlineMs,
          signal,
        ),
    };
  }
}
