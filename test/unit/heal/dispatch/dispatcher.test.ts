// Cooldown, backoff, reset, circuit, duplicates and resolution, with a clock moved by
// hand and real commands (/bin/true, /bin/false) as the actions.
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../../src/heal/audit/audit-log.js';
import { ManualClock } from './manual-clock.js';
import { notification, startTestHealer, type TestHealer } from '../helpers.js';

const POLICY = `
- name: fails
  matchers: ['alertname="Fails"']
  action: exec
  target: 'svc-{{ $labels.svc }}'
  argv: ['/bin/false']
  cooldown: 0s
  max_attempts: 10
- name: works
  matchers: ['alertname="Works"']
  action: exec
  target: 'svc-{{ $labels.svc }}'
  argv: ['/bin/true']
  verify_command: ['/bin/true']
  cooldown: 60s
- name: slow-fails
  matchers: ['alertname="SlowFails"']
  action: exec
  target: 'svc-{{ $labels.svc }}'
  argv: ['/usr/bin/timeout', '0.3', '/bin/sleep', '5']
  cooldown: 0s
  max_attempts: 2
- name: quick
  matchers: ['alertname="Quick"']
  action: exec
  target: 'svc-{{ $labels.svc }}'
  argv: ['/bin/true']
  verify_command: ['/bin/true']
  cooldown: 0s
`;

let t: TestHealer;
let clock: ManualClock;

async function start(config: Record<string, unknown> = {}): Promise<void> {
  clock = new ManualClock();
  t = await startTestHealer(
    {
      auth_disabled: true,
      allowed_commands: ['/bin/true', '/bin/false', '/usr/bin/timeout'],
      circuit_failure_threshold: 100,
      ...config,
    },
    POLICY,
    clock,
  );
}

afterEach(() => t?.cleanup());

async function send(
  alertname: string,
  fingerprint: string,
  status: 'firing' | 'resolved' = 'firing',
  startsAt = '2025-01-01T00:00:00Z',
): Promise<request.Response> {
  const response = await request(t.app)
    .post('/heal')
    .set('content-type', 'application/json')
    .send(notification([{ labels: { alertname, svc: 'a' }, fingerprint, status, startsAt }]));
  expect(response.status).toBe(202);
  return response;
}

function entries(decision?: AuditEntry['decision']): AuditEntry[] {
  return t.healer
    .status()
    .recent.filter((entry) => decision === undefined || entry.decision === decision);
}

/** Seconds from each deferral's decision to its retry time. */
function deferrals(): number[] {
  return entries('deferred').map(
    (entry) => (Date.parse(entry.retry_at as string) - Date.parse(entry.time)) / 1000,
  );
}

async function attemptsReach(count: number): Promise<void> {
  await vi.waitFor(() => expect(t.healer.status().attempts).toBe(count));
  // The attempt's outcome and the deferral that follows are recorded right after.
  await vi.waitFor(() => expect(t.healer.status().in_flight).toBe(0));
  await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('decision log lines', () => {
  it("carry one time, the log line's own, besides the audit fields", async () => {
    await start();
    await send('Quick', '00000000000000d1');
    await attemptsReach(1);
    const decisions = t.texts.filter((text) =>
      /"event":"heal_action_(started|succeeded)"/.test(text),
    );
    expect(decisions).toHaveLength(2);
    for (const text of decisions) expect(text.match(/"time":/g)).toEqual(['"time":']);
    expect(t.lines.find((line) => line.event === 'heal_action_succeeded')).toMatchObject({
      fingerprint: '00000000000000d1',
      rule: 'quick',
      target: 'exec:svc-a',
      argv: ['/bin/true'],
    });
  });
});

describe('backoff', () => {
  it('retries a failing action after 10 s, doubling up to 5 min, like the kubelet', async () => {
    await start({ audit_recent_entries: 100 });
    await send('Fails', '00000000000000a1');
    const expected = [10, 20, 40, 80, 160, 300, 300];
    for (let attempt = 1; attempt <= expected.length; attempt += 1) {
      await attemptsReach(attempt);
      await vi.waitFor(() => expect(deferrals()).toEqual(expected.slice(0, attempt)));
      clock.advance((expected[attempt - 1] as number) * 1000);
    }
    await attemptsReach(expected.length + 1);
    expect(entries('failed')).toHaveLength(8);
    const text = await t.registry.getSingleMetricAsString('aegis_heal_skips_total');
    expect(text).toContain('aegis_heal_skips_total{reason="backoff"} 8');
  });

  it('counts the delay from the end of an attempt that outlasted it', async () => {
    await start();
    await send('SlowFails', '00000000000000c1');
    await vi.waitFor(() => expect(t.healer.status().in_flight).toBe(1));
    // The attempt takes 15 s of the healer's clock, longer than the 10 s backoff.
    clock.advance(15_000);
    await attemptsReach(1);
    expect(entries('failed')).toHaveLength(1);
    expect(deferrals()).toEqual([10]);
    expect(t.healer.status().attempts).toBe(1);
  });

  it('defers a new episode on a recently healed target, and forgets after 10 min alone', async () => {
    await start();
    await send('Quick', '00000000000000b1');
    await attemptsReach(1);
    clock.advance(1_000);
    // One recent attempt: the next may run 10 s after it, 9 s from now.
    await send('Quick', '00000000000000b2', 'firing', '2025-01-01T00:00:01Z');
    await vi.waitFor(() => expect(deferrals()).toEqual([9]));
    clock.advance(9_000);
    await attemptsReach(2);
    clock.advance(1_000);
    // Two recent attempts: 20 s after the last one.
    await send('Quick', '00000000000000b3', 'firing', '2025-01-01T00:00:11Z');
    await vi.waitFor(() => expect(deferrals()).toEqual([9, 19]));
    clock.advance(19_000);
    await attemptsReach(3);
    clock.advance(10 * 60_000);
    await send('Quick', '00000000000000b4', 'firing', '2025-01-01T00:10:30Z');
    await attemptsReach(4);
    expect(deferrals()).toEqual([9, 19]);
    expect(entries('succeeded')).toHaveLength(4);
  });
});

describe('cooldown', () => {
  it('skips a new episode on a target within the rule cooldown, then acts once it is over', async () => {
    await start();
    await send('Works', '00000000000000c1');
    await attemptsReach(1);
    clock.advance(30_000);
    await send('Works', '00000000000000c2', 'firing', '2025-01-01T00:00:30Z');
    await vi.waitFor(() => expect(entries('skipped').at(-1)?.reason).toBe('cooldown'));
    expect(t.healer.status().attempts).toBe(1);
    clock.advance(31_000);
    // The cooldown skip released the claim: a later delivery of the same episode acts.
    await send('Works', '00000000000000c2', 'firing', '2025-01-01T00:00:30Z');
    await attemptsReach(2);
    expect(entries('succeeded')).toHaveLength(2);
  });
});

describe('episodes', () => {
  it('acts once per episode however often it is delivered', async () => {
    await start();
    const first = await send('Works', '00000000000000d1');
    const again = await send('Works', '00000000000000d1');
    expect(first.body.decisions[0].decision).toBe('queued');
    expect(again.body.decisions[0]).toMatchObject({ decision: 'skipped', reason: 'duplicate' });
    await attemptsReach(1);
  });

  it('a resolved notification cancels the pending retries and never acts', async () => {
    await start();
    await send('Fails', '00000000000000e1');
    await attemptsReach(1);
    expect(deferrals()).toEqual([10]);
    const resolved = await send('Fails', '00000000000000e1', 'resolved');
    expect(resolved.body.decisions[0]).toMatchObject({ decision: 'skipped', reason: 'resolved' });
    clock.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(t.healer.status().attempts).toBe(1);
    expect(entries('skipped').map((entry) => [entry.reason, entry.rule])).toEqual([
      ['resolved', 'fails'],
      ['resolved', undefined],
    ]);
  });
});

describe('circuit', () => {
  it('opens after repeated failures, leaves the target alone, and closes after a successful trial', async () => {
    await start({ circuit_failure_threshold: 3, circuit_open_duration: '30m' });
    await send('Fails', '00000000000000f1');
    await attemptsReach(1);
    clock.advance(10_000);
    await attemptsReach(2);
    clock.advance(20_000);
    await attemptsReach(3);
    expect(t.lines.filter((line) => line.event === 'heal_circuit_opened')).toMatchObject([
      { action: 'exec', target: 'exec:svc-a', consecutive_failures: 3, alertname: 'Fails' },
    ]);
    expect(t.healer.status().open_circuits).toEqual(['exec:svc-a']);
    expect(await t.registry.getSingleMetricAsString('aegis_heal_circuit_open')).toContain(
      'aegis_heal_circuit_open{target="exec:svc-a"} 1',
    );
    // No fourth attempt is scheduled, and a new episode on the target is skipped.
    clock.advance(60_000);
    await send('Works', '00000000000000f2', 'firing', '2025-01-01T00:01:30Z');
    await vi.waitFor(() => expect(entries('skipped').at(-1)?.reason).toBe('circuit_open'));
    expect(t.healer.status().attempts).toBe(3);

    clock.advance(30 * 60_000);
    await send('Works', '00000000000000f2', 'firing', '2025-01-01T00:01:30Z');
    await attemptsReach(4);
    expect(entries('succeeded')).toHaveLength(1);
    expect(t.healer.status().open_circuits).toEqual([]);
    expect(await t.registry.getSingleMetricAsString('aegis_heal_circuit_open')).not.toContain(
      'target=',
    );
    expect(t.healer.status().success_rate).toBe(0.25);
  });
});

describe('dry run', () => {
  it('records what would be done and runs nothing', async () => {
    await start({ dry_run: true });
    await send('Works', '0000000000000011');
    await vi.waitFor(() => expect(entries('dry_run')).toHaveLength(1));
    expect(entries('dry_run')[0]).toMatchObject({
      action: 'exec',
      target: 'exec:svc-a',
      argv: ['/bin/true'],
      reason: 'dry_run',
    });
    expect(t.healer.status()).toMatchObject({ attempts: 0, success_rate: null });
    const text = await t.registry.getSingleMetricAsString('aegis_heal_actions_total');
    expect(text).toContain('aegis_heal_actions_total{action="exec",result="dry_run"} 1');
    // What it would have done is said at info: it is what a dry run is for.
    expect(
      t.lines.filter((line) => line.reason === 'dry_run').map((line) => [line.level, line.msg]),
    ).toEqual([['info', 'dry run: would run exec on exec:svc-a']]);
  });
});
