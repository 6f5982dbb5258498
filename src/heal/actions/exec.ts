/**
 * `exec`: run an allowlisted program with the rule's rendered argv, never through a
 * shell. Exit status 0 is its verification.
 */
import { NotAllowedError } from '../errors.js';
import type { ActionPlan, HealAction, PreparedAttempt } from './action.js';
import { runFile } from './run-file.js';

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
    return {
      run: async (signal, hooks) => {
        await runFile(program, args, signal, hooks);
      },
      verify: async () => undefined,
    };
  }
}
