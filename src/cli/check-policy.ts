/** check-config's second step: the healing policy a configuration names must validate too. */
import type { SentinelConfig } from '../config/schema.js';
import type { ConfigProblem } from '../errors.js';
import { checkPolicyFile } from '../heal/healer.js';

/** Problems of the policy file, each already named `FILE:PATH` by the policy loader. */
export async function checkReferencedPolicy(config: SentinelConfig): Promise<ConfigProblem[]> {
  const file = config.recovery.policy_file;
  return file === undefined ? [] : checkPolicyFile(file);
}
