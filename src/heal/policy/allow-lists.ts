/**
 * Rules that could never act, found before the agent starts: an exec whose program is
 * not in `recovery.allowed_commands`, a cache_flush or service_restart whose literal
 * target is not in `recovery.caches` or `recovery.allowed_units`, and an exec or
 * cache_flush whose `verify_command` program is not in `recovery.allowed_commands` (its
 * attempts would all be refused before running). A target written as a template is
 * known only per alert, and checked then (the `not_allowed` skip); a rule whose action
 * is switched off is skipped as `disabled`, so its lists are not checked.
 */
import type { RecoveryConfig } from '../../config/recovery.js';
import type { ConfigProblem } from '../../errors.js';
import type { Policy, Rule } from './policy.js';
import { templateLabels } from './template.js';

type AllowLists = Pick<
  RecoveryConfig,
  | 'policy_file'
  | 'allowed_commands'
  | 'caches'
  | 'allowed_units'
  | 'enable_exec_recovery'
  | 'enable_cache_recovery'
  | 'enable_service_recovery'
>;

/**
 * One problem per rule and allow-list it misses, named `FILE:INDEX.FIELD` as policy
 * problems are (`default policy:INDEX.FIELD` without a policy file).
 */
export function allowListProblems(policy: Policy, config: AllowLists): ConfigProblem[] {
  const source = config.policy_file ?? 'default policy';
  const problems: ConfigProblem[] = [];
  const literal = (text: string) => templateLabels(text).length === 0;
  for (const rule of policy) {
    const at = `${source}:${rule.index}`;
    // A switched-off action is skipped as `disabled` per alert: its lists may be empty.
    if (rule.action === 'exec' && config.enable_exec_recovery) {
      const program = rule.argv?.[0];
      if (program !== undefined && !config.allowed_commands.includes(program))
        problems.push({
          path: `${at}.argv.0`,
          message: `command ${program} is not in recovery.allowed_commands`,
        });
      problems.push(...verifyCommandProblems(rule, at, config));
    } else if (rule.action === 'cache_flush' && config.enable_cache_recovery) {
      if (literal(rule.target) && !Object.hasOwn(config.caches, rule.target))
        problems.push({
          path: `${at}.target`,
          message: `cache ${rule.target} is not in recovery.caches`,
        });
      // The check's program is a literal path even when the target is a template.
      problems.push(...verifyCommandProblems(rule, at, config));
    } else if (
      rule.action === 'service_restart' &&
      config.enable_service_recovery &&
      literal(rule.target)
    ) {
      if (!config.allowed_units.includes(rule.target))
        problems.push({
          path: `${at}.target`,
          message: `unit ${rule.target} is not in recovery.allowed_units`,
        });
    }
  }
  return problems;
}

/**
 * The rule's `verify_command` program off `recovery.allowed_commands`, in the words the
 * attempt would be refused with (verify-command.ts).
 */
function verifyCommandProblems(
  rule: Rule,
  at: string,
  config: Pick<AllowLists, 'allowed_commands'>,
): ConfigProblem[] {
  const program = rule.verify_command?.[0];
  if (program === undefined || config.allowed_commands.includes(program)) return [];
  return [
    {
      path: `${at}.verify_command.0`,
      message: `verify_command ${program} is not in recovery.allowed_commands`,
    },
  ];
}
