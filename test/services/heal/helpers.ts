// Healers for services tests: real engine and Redis, a temp audit file, a capturing logger.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { type RecoveryConfigInput, recoverySchema } from '../../../src/config/recovery.js';
import { Healer } from '../../../src/heal/healer.js';
import { capturingLogger } from '../../unit/heal/helpers.js';

export { notification } from '../../unit/heal/helpers.js';

export const TOKEN = 'services-heal-token';

export interface ServiceHealer {
  healer: Healer;
  app: express.Express;
  registry: Registry;
  lines: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** A started healer; `policyYaml`, when given, is written to a temp policy file it uses. */
export async function startServiceHealer(
  config: RecoveryConfigInput,
  dockerHost?: string,
  policyYaml?: string,
): Promise<ServiceHealer> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-heal-svc-'));
  if (policyYaml !== undefined) {
    config = { ...config, policy_file: join(dir, 'policy.yml') };
    await writeFile(join(dir, 'policy.yml'), policyYaml);
  }
  process.env.AEGIS_SERVICES_HEAL_TOKEN = TOKEN;
  const lines: Record<string, unknown>[] = [];
  const registry = new Registry();
  const healer = new Healer({
    config: recoverySchema.parse({
      audit_file: join(dir, 'audit.jsonl'),
      auth_token_env: 'AEGIS_SERVICES_HEAL_TOKEN',
      ...config,
    }),
    registry,
    logger: capturingLogger(lines),
    ...(dockerHost ? { dockerHost } : {}),
  });
  await healer.start();
  const app = express();
  app.use(healer.router());
  return {
    healer,
    app,
    registry,
    lines,
    async stop() {
      await healer.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
