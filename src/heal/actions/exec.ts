/**
 * `exec`: run an allowlisted program with the rule's rendered argv, never through a
 * shell, with the alert's labels and annotations in its environment (alert-env.ts).
 * Exit 0 is only "done": the effect is verified by the rule's `verify_command` or
 * `probe_url`, and without either the outcome is `unverified`.
 */
import { NotAllowedError } from '../errors.js';
import type { ActionPlan, HealAction, PreparedAttempt } from './action.js';
import { runFile } from './run-file.js';
import { commandVerification } from './verify-command.js';

export class ExecAction implements HealAction {
  readonly #allowed: ReadonlySet<string>;

  constructor(allowedCommands: readonly string[]) {
    this.#allowed = new Set(allowedCommands);
  }

  async prepare(plan: ActionPlan): Promise<PreparedAttempt> {
    const [program, ...args] = plan.argv ?? [];
    if (program === undefined || !this.#allowed.has(program)) {
      throw new NotAllowedError(
        `command ${program ?? '(none)'} is not in recovery.allowed_commands`,
      );
    }
    const verify = commandVerification(plan, this.#allowed);
    return {
      run: async (signal, hooks) => {
        await runFile(program, args, signal, plan.env, hooks);
      },
      ...(verify ? { verify } : {}),
    };
  }
}
