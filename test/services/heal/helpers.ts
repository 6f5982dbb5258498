// Healers for services tests: the unit tier's test healer, pointed at a real engine and
// authenticated with a bearer token, as Alertmanager would send it.
import request from 'supertest';
import { startTestHealer, type TestHealer } from '../../unit/heal/helpers.js';
import type { RecoveryConfigInput } from '../../../src/config/recovery.js';

export { notification } from '../../unit/heal/helpers.js';

export const TOKEN = 'services-heal-token';

/** A started healer; `policyYaml`, when given, is written to a temp policy file it uses. */
export async function startServiceHealer(
  config: RecoveryConfigInput,
  dockerHost?: string,
  policyYaml?: string,
): Promise<TestHealer> {
  process.env.AEGIS_SERVICES_HEAL_TOKEN = TOKEN;
  return startTestHealer(
    { auth_token_env: 'AEGIS_SERVICES_HEAL_TOKEN', ...config },
    policyYaml,
    undefined,
    dockerHost,
  );
}

/** POSTs `body` to the healer's /heal with the bearer token. */
export function postHeal(healer: TestHealer, body: object): request.Test {
  return request(healer.app).post('/heal').set('authorization', `Bearer ${TOKEN}`).send(body);
}
