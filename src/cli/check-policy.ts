/**
 * check-config's healing checks: the policy a configuration names (or the default one)
 * must validate and every rule must be on its allow-list, and the token file must be
 * readable and hold a token. The agent refuses to start on each with the same words.
 */
import type { SentinelConfig } from '../config/schema.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { allowListProblems } from '../heal/policy/allow-lists.js';
import { loadPolicy } from '../heal/policy/policy.js';
import { createAuthenticator } from '../heal/receive/auth.js';

/** Problems of the policy file and its rules' allow-lists, each named `FILE:PATH`. */
export async function checkReferencedPolicy(config: SentinelConfig): Promise<ConfigProblem[]> {
  try {
    const policy = await loadPolicy(config.recovery.policy_file);
    return allowListProblems(policy, config.recovery);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

/** Problems of `recovery.auth_token_file`: missing, unreadable or empty. */
export async function checkTokenFile(config: SentinelConfig): Promise<ConfigProblem[]> {
  if (config.recovery.auth_token_file === undefined) return [];
  try {
    await createAuthenticator(config.recovery);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}
