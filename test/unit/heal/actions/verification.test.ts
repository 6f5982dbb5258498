// What counts as healed: exec with and without a configured check, run with real
// programs, and a running action cancelled when its alert resolves.
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { notification, startTestHealer, type TestHealer } from '../helpers.js';

const ALLOWED = ['/bin/true', '/bin/false', '/bin/sleep'];

function execRule(extra: string): string {
  return `- name: fix
  matchers: ['alertname="Broken"']
  action: exec
  target: fix
  argv: [/bin/true]
${extra}`;
}

async function heal(t: TestHealer, body = notification([{ labels: { alertname: 'Broken' } }])) {
  expect((await request(t.app).post('/heal').send(body)).status).toBe(202);
}

const outcome = (t: TestHealer) =>
  t.healer.status().recent.find((e) => !['started', 'skipped', 'deferred'].includes(e.decision));

async function withHealer(
  policy: string,
  fn: (t: TestHealer) => Promise<void>,
  config: Record<string, unknown> = {},
): Promise<void> {
  const t = await startTestHealer(
    { auth_disabled: true, allowed_commands: ALLOWED, verify_timeout: 0.6, ...config },
    policy,
  );
  try {
    await fn(t);
  } finally {
    await t.cleanup();
  }
}

describe('verification', () => {
  it('has no success rate before the first attempt', async () => {
    await withHealer(execRule(''), async (t) => {
      expect(t.healer.status()).toMatchObject({ success_rate: null, attempts: 0 });
    });
  });

  it('records exec without a check as unverified, outside the success rate', async () => {
    await withHealer(execRule(''), async (t) => {
      await heal(t);
      await vi.waitFor(() => expect(outcome(t)).toBeDefined());
      expect(outcome(t)).toMatchObject({ decision: 'unverified', action: 'exec' });
      expect(t.healer.status()).toMatchObject({
        success_rate: null,
        attempts: 1,
        verified_successes: 0,
        unverified: 1,
      });
      expect(await t.registry.getSingleMetricAsString('aegis_heal_actions_total')).toContain(
        'aegis_heal_actions_total{action="exec",result="unverified"} 1',
      );
      expect(t.lines.find((line) => line.event === 'heal_action_unverified')).toMatchObject({
        msg: 'done, unverified: exec on exec:fix has no check',
      });
    });
  });

  it('verifies exec by its verify_command', async () => {
    await withHealer(execRule('  verify_command: [/bin/true]\n'), async (t) => {
      await heal(t);
      await vi.waitFor(() => expect(outcome(t)).toBeDefined());
      expect(outcome(t)).toMatchObject({ decision: 'succeeded' });
      expect(t.healer.status()).toMatchObject({ success_rate: 1, verified_successes: 1 });
    });
  });

  it('fails exec whose verify_command never exits 0 before verify_timeout', async () => {
    await withHealer(execRule('  verify_command: [/bin/false]\n  max_attempts: 1\n'), async (t) => {
      await heal(t);
      await vi.waitFor(() => expect(outcome(t)).toBeDefined(), { timeout: 5_000 });
      expect(outcome(t)).toMatchObject({
        decision: 'failed',
        reason: 'failure',
        error: 'verify_command /bin/false exited with code 1',
      });
      expect(t.healer.status()).toMatchObject({ success_rate: 0, attempts: 1 });
    });
  });

  it('refuses to start on a verify_command not in allowed_commands, naming the rule and the setting', async () => {
    // Its every attempt would be refused before running: check-config and the start say so first.
    await expect(
      startTestHealer(
        { auth_disabled: true, allowed_commands: ALLOWED },
        execRule('  verify_command: [/usr/bin/id]\n'),
      ),
    ).rejects.toThrow(
      /^(\/\S+\/policy\.yml): invalid configuration:\n {2}\1:0\.verify_command\.0: verify_command \/usr\/bin\/id is not in recovery\.allowed_commands$/,
    );
  });
});

describe('cancel_on_resolve', () => {
  const sleeper = (cancel: boolean) => `- name: slow
  matchers: ['alertname="Broken"']
  action: exec
  target: slow
  argv: [/bin/sleep, '30']
  cancel_on_resolve: ${cancel}
`;
  const alert = { labels: { alertname: 'Broken' }, fingerprint: 'a1b2c3d4e5f60718' };

  it('kills the running action when its alert resolves, and audits it cancelled', async () => {
    await withHealer(
      sleeper(true),
      async (t) => {
        await heal(t, notification([alert]));
        await vi.waitFor(() => expect(t.healer.status().in_flight).toBe(1));
        const resolvedAt = Date.now();
        await heal(t, notification([{ ...alert, status: 'resolved' }]));
        await vi.waitFor(() => expect(outcome(t)).toBeDefined());
        expect(Date.now() - resolvedAt).toBeLessThan(2_000);
        expect(outcome(t)).toMatchObject({
          decision: 'cancelled',
          reason: 'resolved',
          target: 'exec:slow',
          error: 'exec on exec:slow was cancelled: its alert resolved',
        });
        expect(t.healer.status()).toMatchObject({
          in_flight: 0,
          cancelled: 1,
          success_rate: null,
          open_circuits: [],
        });
        expect(await t.registry.getSingleMetricAsString('aegis_heal_actions_total')).toContain(
          'aegis_heal_actions_total{action="exec",result="cancelled"} 1',
        );
      },
      { action_timeout: 60 },
    );
  });

  it('lets a rule without it run on after the alert resolves', async () => {
    await withHealer(
      sleeper(false),
      async (t) => {
        await heal(t, notification([alert]));
        await vi.waitFor(() => expect(t.healer.status().in_flight).toBe(1));
        await heal(t, notification([{ ...alert, status: 'resolved' }]));
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(t.healer.status().in_flight).toBe(1);
        expect(outcome(t)).toBeUndefined();
      },
      { action_timeout: 0.8 },
    );
  });
});
