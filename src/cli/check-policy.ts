/** check-config's second step: the healing policy a configuration names must validate too. */
import type { SentinelConfig } from '../config/schema.js';
import type { ConfigProblem } from '../errors.js';
import { checkPolicyFile } from '../heal/healer.js';

export async function checkReferencedPolicy(config: SentinelConfig): Promise<ConfigProblem[]> {
  const file = config.recovery.policy_file;
  if (file === undefined) return [];
  return (await checkPolicyFile(file)).map((problem) => ({
    path: `recovery.policy_file (${file})${problem.path ? `: ${problem.path}` : ''}`,
    message: problem.message,
  }));
}
