// Building a real Healer for unit tests: memory store, a temp audit file, a silent or capturing logger.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { type RecoveryConfigInput, recoverySchema } from '../../../src/config/recovery.js';
import type { Clock } from '../../../src/heal/dispatch/clock.js';
import { Healer } from '../../../src/heal/healer.js';
import type { WebhookHandler } from '../../../src/heal/receive/webhook-handler.js';
import { capturingLogger } from '../../support/capturing-logger.js';

export interface TestHealer {
  healer: Healer;
  /** The healer's /heal listener, answering every request as POST /heal. */
  app: WebhookHandler;
  registry: Registry;
  lines: Record<string, unknown>[];
  /** The log lines as written. */
  texts: string[];
  dir: string;
  cleanup(): Promise<void>;
}

/**
 * A started healer whose policy is `policyYaml` (the default policy when omitted). Its
 * Docker host is `dockerHost`, or a socket that does not exist when none is given.
 */
export async function startTestHealer(
  config: RecoveryConfigInput,
  policyYaml?: string,
  clock?: Clock,
  dockerHost?: string,
): Promise<TestHealer> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-heal-test-'));
  let policyFile: string | undefined;
  if (policyYaml !== undefined) {
    policyFile = join(dir, 'policy.yml');
    await writeFile(policyFile, policyYaml);
  }
  const { logger, lines, texts } = capturingLogger('debug');
  const registry = new Registry();
  const healer = new Healer({
    config: recoverySchema.parse({
      audit_file: join(dir, 'audit.jsonl'),
      journal_file: join(dir, 'journal.jsonl'),
      ...(policyFile ? { policy_file: policyFile } : {}),
      ...config,
    }),
    registry,
    logger,
    dockerHost: dockerHost ?? `unix://${join(dir, 'no-docker.sock')}`,
    ...(clock ? { clock } : {}),
  });
  try {
    await healer.start();
  } catch (error) {
    // Refused (a test of the refusal, often): nothing to stop, only the folder to remove.
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const app = healer.handler();
  return {
    healer,
    app,
    registry,
    lines,
    texts,
    dir,
    async cleanup() {
      await healer.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** A valid Alertmanager v4 notification with one alert per label set. */
export function notification(
  alerts: {
    labels: Record<string, string>;
    status?: 'firing' | 'resolved';
    fingerprint?: string;
    startsAt?: string;
  }[],
): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}:{alertname="Test"}',
    truncatedAlerts: 0,
    status: alerts.some((alert) => (alert.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: 'aegis',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: alerts.map((alert) => ({
      status: alert.status ?? 'firing',
      labels: alert.labels,
      annotations: {},
      startsAt: alert.startsAt ?? '2025-01-01T00:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
      fingerprint: alert.fingerprint ?? (counter += 1).toString(16).padStart(16, '0'),
    })),
  };
}
