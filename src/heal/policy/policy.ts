/**
 * The healing policy: a YAML list of rules read like an Alertmanager route. Each alert
 * is matched against the rules in order; the first match wins unless that rule says
 * `continue: true`, and then later rules are tried too.
 */
import { z } from 'zod';
import { duration } from '../../config/duration.js';
import { parseYaml, readYamlFile } from '../../config/yaml-file.js';
import { PARSE_ONCE } from '../../config/parse-once.js';
import { describeIssues } from '../../config/validate.js';
import { ConfigError, type ConfigProblem } from '../../errors.js';
import { type Matcher, matchesAll, parseMatcher } from './matchers.js';
import { templateLabels, templateProblem } from './template.js';

export const ACTIONS = ['docker_restart', 'cache_flush', 'service_restart', 'exec'] as const;
export type ActionName = (typeof ACTIONS)[number];

const matcherList = z.array(z.string()).transform((texts, ctx) => {
  const matchers: Matcher[] = [];
  texts.forEach((text, index) => {
    try {
      matchers.push(parseMatcher(text));
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: [index], message: (error as Error).message });
    }
  });
  return matchers;
});

const ruleSchema = z
  .strictObject({
    /** Names the rule in logs, the audit and /status. @default rule-INDEX */
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, 'expected letters, digits, _ . -')
      .optional(),
    /** Alertmanager matchers on the alert's labels, all of which must match. @default [] (every alert) */
    matchers: matcherList.default([]),
    action: z.enum(ACTIONS, { error: `expected one of ${ACTIONS.join(', ')}` }),
    /** Container, cache name, unit, or (for exec) the name the command's runs are serialised under. */
    target: z.string().min(1),
    /** exec only: the program (a literal absolute path) and its arguments. */
    argv: z.array(z.string()).min(1).optional(),
    /** Minimum time between two actions of this rule on one target. @default recovery.default_cooldown */
    cooldown: duration({ min: 0, max: 86_400 }).optional(),
    /** Attempts per alert episode. @default recovery.default_max_attempts */
    max_attempts: z.number().int().min(1).max(100).optional(),
    /** Time limit of the action. @default recovery.action_timeout */
    timeout: duration({ min: 0.001, max: 3600 }).optional(),
    /** Record what would be done instead of doing it. @default false */
    dry_run: z.boolean().default(false),
    /** Keep matching later rules after this one. @default false */
    continue: z.boolean().default(false),
    /** Also verify the action by this URL answering 2xx within the deadline. @default none */
    probe_url: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
      .optional(),
    /**
     * exec and cache_flush: a check of the effect, run without a shell until it exits 0
     * within `recovery.verify_timeout`: the program (a literal absolute path in
     * `recovery.allowed_commands`) and its arguments, with the alert in its environment
     * like exec's. Without it or `probe_url` the outcome is `unverified`. @default none
     */
    verify_command: z.array(z.string()).min(1).optional(),
    /** Abort the running attempt (kill exec's program) when its alert resolves: audited `cancelled`, reason `resolved`. @default false */
    cancel_on_resolve: z.boolean().default(false),
  })
  .superRefine((rule, ctx) => {
    for (const [field, template] of [
      ['target', rule.target],
      ...(rule.argv ?? []).map((arg, index) => [`argv.${index}`, arg] as const),
      ...(rule.verify_command ?? []).map((arg, index) => [`verify_command.${index}`, arg] as const),
    ] as const) {
      const problem = templateProblem(template);
      if (problem) ctx.addIssue({ code: 'custom', path: field.split('.'), message: problem });
    }
    if (rule.action === 'exec') {
      const program = rule.argv?.[0];
      if (program === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['argv'],
          message: 'exec needs argv: [PROGRAM, ARGS...]',
        });
      } else if (!program.startsWith('/') || templateLabels(program).length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['argv', 0],
          message: 'the program must be a literal absolute path (no template)',
        });
      }
    } else if (rule.argv !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['argv'],
        message: `argv is for exec, not ${rule.action}`,
      });
    }
    const verifyProgram = rule.verify_command?.[0];
    if (rule.verify_command !== undefined) {
      if (rule.action !== 'exec' && rule.action !== 'cache_flush') {
        ctx.addIssue({
          code: 'custom',
          path: ['verify_command'],
          message: `verify_command is for exec and cache_flush, not ${rule.action} (it verifies itself)`,
        });
      } else if (
        verifyProgram !== undefined &&
        (!verifyProgram.startsWith('/') || templateLabels(verifyProgram).length > 0)
      ) {
        ctx.addIssue({
          code: 'custom',
          path: ['verify_command', 0],
          message: 'the program must be a literal absolute path (no template)',
        });
      }
    }
  });

const policySchema = z.array(ruleSchema);

export interface Rule extends Omit<z.output<typeof ruleSchema>, 'name'> {
  name: string;
  /** Position in the policy, which is also part of the episode key. */
  index: number;
}

export type Policy = readonly Rule[];

/** The policy used without a policy file: restart only opted-in containers that exited or turned unhealthy. */
export const DEFAULT_POLICY_RULES = [
  {
    name: 'restart-opted-in-containers',
    matchers: ['alertname=~"AegisContainerExited|AegisContainerUnhealthy"'],
    action: 'docker_restart',
    target: '{{ $labels.container }}',
  },
];

/** Validates parsed rules; `source` prefixes every problem path. Throws ConfigError. */
export function compilePolicy(raw: unknown, source: string): Policy {
  const result = policySchema.safeParse(raw, PARSE_ONCE);
  if (!result.success) {
    const problems = describeIssues(result.error.issues).map((problem) => ({
      path: problem.path === '' ? source : `${source}:${problem.path}`,
      message: problem.message,
    }));
    throw new ConfigError(source, problems);
  }
  return result.data.map((rule, index) => ({ ...rule, name: rule.name ?? `rule-${index}`, index }));
}

/** Parses policy YAML text. Throws ConfigError naming the file and, for YAML errors, the line. */
export function parsePolicyText(text: string, source: string): Policy {
  return compilePolicy(parseYaml(text, source, source) ?? [], source);
}

export async function loadPolicy(path: string | undefined): Promise<Policy> {
  if (path === undefined) return compilePolicy(DEFAULT_POLICY_RULES, 'default policy');
  return parsePolicyText(await readYamlFile(path, path), path);
}

/** For `aegis-sentinel check-config`: the policy file's problems, [] when it is valid. */
export async function checkPolicyFile(path: string): Promise<ConfigProblem[]> {
  try {
    await loadPolicy(path);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

/** The rules an alert's labels select: the first match, and later ones while `continue` is set. */
export function selectRules(policy: Policy, labels: Record<string, string>): Rule[] {
  const selected: Rule[] = [];
  for (const rule of policy) {
    if (!matchesAll(rule.matchers, labels)) continue;
    selected.push(rule);
    if (!rule.continue) break;
  }
  return selected;
}
