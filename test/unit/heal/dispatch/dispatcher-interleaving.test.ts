// The dispatcher when something happens while a job waits or runs: stop() (whatever retry
// the job reaches afterwards, lock, backoff or a failed attempt's next one, is recorded as
// skipped and sets no timer), or another replica resolving the episode. The store is the
// real memory store with a read held at a gate where the test must stop the dispatcher at
// exactly that point; the actions are real commands.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { recoverySchema } from '../../../../src/config/recovery.js';
import { ExecAction } from '../../../../src/heal/actions/exec.js';
import { AuditLog } from '../../../../src/heal/audit/audit-log.js';
import { Dispatcher } from '../../../../src/heal/dispatch/dispatcher.js';
import { registerHealMetrics } from '../../../../src/heal/heal-metrics.js';
import { labelSafetyCheck } from '../../../../src/heal/receive/label-safety.js';
import { Journal } from '../../../../src/heal/state/journal.js';
import { MemoryStateStore } from '../../../../src/heal/state/memory-state-store.js';
import { type HealAlert, planAlert } from '../../../../src/heal/policy/planner.js';
import { parsePolicyText } from '../../../../src/heal/policy/policy.js';
import type { TargetState } from '../../../../src/heal/state/state-store.js';
import { silentLogger } from '../../../../src/logger.js';
import { ManualClock } from './manual-clock.js';

/**
 * The memory store, whose target reads and lock requests (and renewals) wait until open() once hold()
 * was called.
 */
class GatedStore extends MemoryStateStore {
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;
  /** Resolves when a gated call reached the gate. */
  reached: Promise<void> = Promise.resolve();
  #reached: (() => void) | undefined;

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
    this.reached = new Promise((resolve) => (this.#reached = resolve));
  }

  open(): void {
    this.#open?.();
  }

  async #wait(): Promise<void> {
    this.#reached?.();
    await this.#gate;
  }

  override async getTarget(target: string): Promise<TargetState> {
    await this.#wait();
    return super.getTarget(target);
  }

  override async renew(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (key.startsWith('lock:')) await this.#wait();
    return super.renew(key, value, ttlMs);
  }
}

const config = recoverySchema.parse({
  allowed_commands: ['/bin/true', '/usr/bin/timeout'],
  action_timeout: '5s',
});
const policy = parsePolicyText(
  `
- name: run
  matchers: ['alertname="Run"']
  action: exec
  target: svc-a
  argv: ['/bin/true']
  cooldown: 0s
- name: fail-slowly
  matchers: ['alertname="FailSlowly"']
  action: exec
  target: svc-b
  argv: ['/usr/bin/timeout', '0.2', '/bin/sleep', '5']
  cooldown: 0s
  max_attempts: 3
`,
  'test policy',
);

let dir: string;
let audit: AuditLog;
let clock: ManualClock;
let store: GatedStore;
let dispatcher: Dispatcher;
let journal: Journal;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-dispatcher-stop-'));
  audit = new AuditLog({
    file: join(dir, 'audit.jsonl'),
    recentEntries: 50,
    logger: silentLogger(),
  });
  audit.open();
  clock = new ManualClock();
  store = new GatedStore({ clock, maxEntries: 1000, targetTtlMs: 86_400_000 });
  journal = new Journal(join(dir, 'journal.jsonl'));
  await journal.load(clock.now(), 86_400_000);
  const exec = new ExecAction(config.allowed_commands);
  dispatcher = new Dispatcher({
    config,
    store,
    // Only exec is planned here; the other slots are never reached.
    actions: { exec, docker_restart: exec, cache_flush: exec, service_restart: exec },
    audit,
    metrics: registerHealMetrics(new Registry()),
    logger: silentLogger(),
    clock,
    journal,
  });
});

afterEach(async () => {
  await dispatcher.stop();
  await journal.close();
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

function planned(alertname: string, fingerprint: string) {
  const alert: HealAlert = {
    status: 'firing',
    labels: { alertname },
    startsAt: '2025-01-01T00:00:00Z',
    fingerprint,
    source: 'webhook',
  };
  return [planAlert(alert, policy, config, labelSafetyCheck(config.label_value_pattern), 0)];
}

function decisions() {
  return audit.recent().map(({ decision, reason, attempt }) => ({ decision, reason, attempt }));
}

/** Submits `alerts`, and stops the dispatcher while their job waits at the store's gate. */
async function stopAtTheGate(alerts: ReturnType<typeof planned>): Promise<void> {
  store.hold();
  await dispatcher.submit(alerts);
  await store.reached;
  const stopped = dispatcher.stop();
  store.open();
  await stopped;
}

describe('Dispatcher.stop, with a job still running', () => {
  it('records a job that reaches its backoff as skipped, not deferred, and sets no timer', async () => {
    // The target was just healed, so a new episode on it waits for its backoff.
    await store.putTarget('exec:svc-a', {
      backoff_attempts: 1,
      last_attempt_ms: clock.now(),
      consecutive_failures: 0,
      circuit_open_until_ms: 0,
    });
    await stopAtTheGate(planned('Run', '00000000000000b1'));

    expect(clock.pending).toBe(0);
    expect(decisions()).toEqual([{ decision: 'skipped', reason: 'stopping', attempt: 1 }]);
  });

  it("records a job that waits for another replica's lock as skipped, and sets no timer", async () => {
    // Not a dry run, so the job asks for the target's lock, which another replica holds.
    await store.set('lock:exec:svc-b', 'other-replica', 60_000);
    await stopAtTheGate(planned('FailSlowly', '00000000000000b2'));

    expect(clock.pending).toBe(0);
    expect(decisions()).toEqual([{ decision: 'skipped', reason: 'stopping', attempt: 1 }]);
  });

  it('interrupts a running attempt, kills its process group, and releases the episode', async () => {
    await dispatcher.submit(planned('FailSlowly', '00000000000000b3'));
    await vi.waitFor(() => expect(decisions()).toHaveLength(1));
    const stopping = Date.now();
    // The command would run for 0.2 s; stop() kills it instead of waiting.
    await dispatcher.stop();

    expect(Date.now() - stopping).toBeLessThan(150);
    expect(clock.pending).toBe(0);
    expect(decisions()).toEqual([
      { decision: 'started', reason: undefined, attempt: 1 },
      { decision: 'interrupted', reason: 'stopping', attempt: 1 },
    ]);
    // The next delivery, to this healer restarted or to another, heals the episode.
    expect(await store.get('episode:00000000000000b3:2025-01-01T00:00:00Z:1')).toBeUndefined();
    expect(await store.readEpisode('episode:00000000000000b3:2025-01-01T00:00:00Z:1')).toEqual({
      interrupted: 1,
      done: false,
    });
  });
});

describe('Dispatcher, with the episode resolved elsewhere while a job waits', () => {
  it('does not act when the job comes back from its backoff', async () => {
    await store.putTarget('exec:svc-a', {
      backoff_attempts: 1,
      last_attempt_ms: clock.now(),
      consecutive_failures: 0,
      circuit_open_until_ms: 0,
    });
    await dispatcher.submit(planned('Run', '00000000000000c1'));
    await vi.waitFor(() => expect(clock.pending).toBe(1));
    // Another replica got the resolved notification and recorded it in the shared store.
    await store.set('resolved:00000000000000c1:2025-01-01T00:00:00Z', '1', 86_400_000);
    clock.advance(10_000);
    await vi.waitFor(() => expect(decisions()).toHaveLength(2));
    expect(decisions()).toEqual([
      { decision: 'deferred', reason: 'backoff', attempt: 1 },
      { decision: 'skipped', reason: 'resolved', attempt: 1 },
    ]);
  });
});
