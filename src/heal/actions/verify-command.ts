/**
 * A rule's `verify_command` (exec and cache_flush): run again and again, without a shell,
 * until it exits 0 or the verification deadline passes. Its program must be in
 * `recovery.allowed_commands`, like exec's, and it sees the same alert environment.
 */
import { NotAllowedError } from '../errors.js';
import type { ActionPlan, PreparedAttempt } from './action.js';
import { pollUntil } from './poll.js';
import { runFile } from './run-file.js';

/**
 * The verification of `plan`'s `verifyArgv`, or undefined when the rule has none. Throws
 * NotAllowedError, before anything runs, when its program is not allowed.
 */
export function commandVerification(
  plan: ActionPlan,
  allowed: ReadonlySet<string>,
): PreparedAttempt['verify'] {
  const [program, ...args] = plan.verifyArgv ?? [];
  if (program === undefined) return undefined;
  if (!allowed.has(program)) {
    throw new NotAllowedError(`verify_command ${program} is not in recovery.allowed_commands`);
  }
  return (deadlineMs, signal) =>
    pollUntil(
      () =>
        runFile(program, args, signal, plan.env).then(
          () => undefined,
          (error: unknown) => {
            signal.throwIfAborted();
            return `verify_command ${(error as Error).message}`;
          },
        ),
      deadlineMs,
      signal,
      500,
    );
}
