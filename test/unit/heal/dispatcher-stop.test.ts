// stop() while a job is between two store reads: the job must not set a timer afterwards.
// The store is the real memory store with one read held at a gate, the only way to stop
// the dispatcher at exactly that point.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverySchema } from '../../../src/config/recovery.js';
import { ExecAction } from '../../../src/heal/actions/exec.js';
import { AuditLog } from '../../../src/heal/audit-log.js';
import { Dispatcher } from '../../../src/heal/dispatcher.js';
import { registerHealMetrics } from '../../../src/heal/heal-metrics.js';
import { labelSafetyCheck } from '../../../src/heal/label-safety.js';
import { MemoryStateStore } from '../../../src/heal/memory-state-store.js';
import { type HealAlert, planAlert } from '../../../src/heal/planner.js';
import { parsePolicyText } from '../../../src/heal/policy.js';
import type { TargetState } from '../../../src/heal/state-store.js';
import { silentLogger } from '../../../src/logger.js';
import { ManualClock } from './manual-clock.js';

/** The memory store, whose target reads wait until open() once `hold()` was called. */
class GatedStore extends MemoryStateStore {
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  /** Resolves when a target read reached the gate. */
  reached: Promise<void> = Promise.resolve();
  #reached: (() => void) | undefined;

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
    this.reached = new Promise((resolve) => (this.#reached = resolve));
  }

  open(): void {
    this.#open?.();
  }

  override async getTarget(target: string): Promise<TargetState> {
    this.#reached?.();
    await this.#gate;
    return super.getTarget(target);
  }
}

const config = recoverySchema.parse({ allowed_commands: ['/bin/true'] });
const policy = parsePolicyText(
  `- name: run\n  matchers: ['alertname="Run"']\n  action: exec\n  target: svc-a\n  argv: ['/bin/true']\n  cooldown: 0s\n`,
  'test policy',
);

let dir: string;
let audit: AuditLog;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-dispatcher-stop-'));
  audit = new AuditLog({
    file: join(dir, 'audit.jsonl'),
    recentEntries: 50,
    logger: silentLogger(),
  });
  audit.open();
});

afterEach(async () => {
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

function planned(fingerprint: string) {
  const alert: HealAlert = {
    status: 'firing',
    labels: { alertname: 'Run' },
    startsAt: '2025-01-01T00:00:00Z',
    fingerprint,
    source: 'webhook',
  };
  return [planAlert(alert, policy, config, labelSafetyCheck(config.label_value_pattern), 0)];
}

describe('Dispatcher.stop', () => {
  it('records a job that reaches its backoff while stopping as skipped, and leaves no timer', async () => {
    const clock = new ManualClock();
    const exec = new ExecAction(['/bin/true']);
    const store = new GatedStore(clock);
    const dispatcher = new Dispatcher({
      config,
      store,
      // Only exec is planned here; the other slots are never reached.
      actions: { exec, docker_restart: exec, cache_flush: exec, service_restart: exec },
      audit,
      metrics: registerHealMetrics(new Registry()),
      logger: silentLogger(),
      clock,
    });
    // The target was just healed, so a new episode on it waits for its backoff.
    await store.putTarget('exec:svc-a', {
      backoff_attempts: 1,
      last_attempt_ms: clock.now(),
      consecutive_failures: 0,
      circuit_open_until_ms: 0,
    });
    store.hold();
    await dispatcher.submit(planned('00000000000000b1'));
    await store.reached;
    const stopped = dispatcher.stop();
    store.open();
    await stopped;

    expect(clock.pending).toBe(0);
    expect(
      audit
        .recent()
        .map(({ decision, reason, fingerprint }) => ({ decision, reason, fingerprint })),
    ).toEqual([
      // What the job found, then why no retry comes.
      { decision: 'deferred', reason: 'backoff', fingerprint: '00000000000000b1' },
      { decision: 'skipped', reason: 'stopping', fingerprint: '00000000000000b1' },
    ]);
  });
});
