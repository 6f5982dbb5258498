/** Validation of a raw configuration object into a typed SentinelConfig. */
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { PARSE_ONCE } from './parse-once.js';
import { configSchema, type SentinelConfig } from './schema.js';

/** Turns zod issues into `path: message` problems in the words an operator expects. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: path ? `${path}.${key}` : key, message: 'unknown key' });
      }
    } else if (issue.code === 'invalid_type') {
      const got = (issue as { input?: unknown }).input;
      problems.push({
        path,
        message:
          got === undefined
            ? `required: expected ${issue.expected}`
            : `expected ${issue.expected}, got ${describeValue(got)}`,
      });
    } else if (
      issue.code === 'invalid_union' &&
      issue.errors.length > 0 &&
      issue.message.startsWith('Invalid input')
    ) {
      // A union whose own message is the generic one: report the first branch's problems.
      problems.push(...describeIssues(issue.errors[0] ?? [], path));
    } else {
      problems.push({ path, message: issue.message });
    }
  }
  return problems;
}

/** A value as a problem names it: `null`, `an array`, `an object`, `number 4`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Validates `raw` and fills in defaults; throws a ConfigError naming every bad path. */
export function validateConfig(raw: unknown, source = 'configuration'): SentinelConfig {
  const result = configSchema.safeParse(raw ?? {}, PARSE_ONCE);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error.issues));
  const { recovery } = result.data;
  if (recovery.redis_url !== undefined && recovery.redis_sentinels !== undefined) {
    throw new ConfigError(source, [
      { path: 'recovery.redis_sentinels', message: 'set redis_url or redis_sentinels, not both' },
    ]);
  }
  return result.data;
}
