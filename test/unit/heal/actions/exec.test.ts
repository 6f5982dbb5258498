// exec and service_restart with real programs: /bin/true, /bin/false, /bin/sleep, and
// this machine's systemctl, where systemd is not the init system.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExecAction } from '../../../../src/heal/actions/exec.js';
import { ServiceRestartAction } from '../../../../src/heal/actions/service-restart.js';
import {
  CommandFailedError,
  NotAllowedError,
  SystemdUnavailableError,
} from '../../../../src/heal/errors.js';
import { notification, startTestHealer, type TestHealer } from '../helpers.js';

const signal = () => new AbortController().signal;

describe('ExecAction', () => {
  const exec = new ExecAction(['/bin/true', '/bin/false']);

  it('runs an allowlisted program without a shell and succeeds on exit 0', async () => {
    const attempt = await exec.prepare({
      action: 'exec',
      target: 't',
      targetKey: 'exec:t',
      argv: ['/bin/true', '$(reboot)', ';'],
    });
    await expect(attempt.run(signal())).resolves.toBeUndefined();
  });

  it('fails with the exit code', async () => {
    const attempt = await exec.prepare({
      action: 'exec',
      target: 't',
      targetKey: 'exec:t',
      argv: ['/bin/false'],
    });
    await expect(attempt.run(signal())).rejects.toThrow(
      new CommandFailedError('/bin/false exited with code 1'),
    );
  });

  it('refuses a program that is not allowlisted', async () => {
    await expect(
      exec.prepare({ action: 'exec', target: 't', targetKey: 'exec:t', argv: ['/bin/sleep', '1'] }),
    ).rejects.toThrow(
      new NotAllowedError('command /bin/sleep is not in recovery.allowed_commands'),
    );
  });

  it('refuses a verify_command that is not allowlisted, before running anything', async () => {
    await expect(
      exec.prepare({
        action: 'exec',
        target: 't',
        targetKey: 'exec:t',
        argv: ['/bin/true'],
        verifyArgv: ['/bin/sleep', '1'],
      }),
    ).rejects.toThrow(
      new NotAllowedError('verify_command /bin/sleep is not in recovery.allowed_commands'),
    );
  });
});

describe('ServiceRestartAction', () => {
  it('fails with a named error where systemd is not the init system', async () => {
    expect(existsSync('/run/systemd/system')).toBe(false);
    const action = new ServiceRestartAction({ allowedUnits: ['nginx.service'] });
    const attempt = await action.prepare({
      action: 'service_restart',
      target: 'nginx.service',
      targetKey: 'service_restart:nginx.service',
    });
    const error = await attempt.run(signal()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SystemdUnavailableError);
    expect(error).toMatchObject({
      code: 'AEGIS_HEAL_NO_SYSTEMD',
      message:
        'cannot restart nginx.service: systemd is not running on this host (no /run/systemd/system)',
    });
  });

  it('refuses a unit that is not allowlisted', async () => {
    const action = new ServiceRestartAction({ allowedUnits: ['nginx.service'] });
    await expect(
      action.prepare({
        action: 'service_restart',
        target: 'sshd.service',
        targetKey: 'service_restart:sshd.service',
      }),
    ).rejects.toThrow(new NotAllowedError('unit sshd.service is not in recovery.allowed_units'));
  });
});

async function processesWith(arg: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const lines = await Promise.all(
    pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')),
  );
  return lines.filter((line) => line.split('\0').includes(arg));
}

describe('through the healer', () => {
  let t: TestHealer;
  afterEach(() => t?.cleanup());

  const send = (alertname: string) =>
    request(t.app)
      .post('/heal')
      .send(notification([{ labels: { alertname } }]));

  it('kills a command that outlives its timeout and counts a timeout', async () => {
    t = await startTestHealer(
      { auth_disabled: true, allowed_commands: ['/bin/sleep'] },
      `
- matchers: ['alertname="Slow"']
  action: exec
  target: slow
  argv: ['/bin/sleep', '7.321']
  timeout: 300ms
  max_attempts: 1
`,
    );
    expect((await send('Slow')).status).toBe(202);
    await vi.waitFor(() => expect(t.healer.status().recent.at(-1)?.decision).toBe('failed'));
    expect(t.healer.status().recent.at(-1)).toMatchObject({
      reason: 'timeout',
      error: 'exec on exec:slow did not finish within 0.3s',
    });
    expect(await processesWith('7.321')).toEqual([]);
    expect(await t.registry.getSingleMetricAsString('aegis_heal_actions_total')).toContain(
      'aegis_heal_actions_total{action="exec",result="timeout"} 1',
    );
    expect(t.lines.find((line) => line.event === 'heal_action_failed')).toMatchObject({
      action: 'exec',
      target: 'exec:slow',
      alertname: 'Slow',
      reason: 'timeout',
    });
  });

  it('reports service_restart without systemd as a failed attempt with the named error', async () => {
    t = await startTestHealer(
      { auth_disabled: true, allowed_units: ['nginx.service'] },
      `
- matchers: ['alertname="UnitFailed"']
  action: service_restart
  target: nginx.service
  max_attempts: 1
`,
    );
    expect((await send('UnitFailed')).status).toBe(202);
    await vi.waitFor(() => expect(t.healer.status().recent.at(-1)?.decision).toBe('failed'));
    expect(t.healer.status().recent.at(-1)).toMatchObject({
      action: 'service_restart',
      target: 'service_restart:nginx.service',
      reason: 'failure',
      error:
        'cannot restart nginx.service: systemd is not running on this host (no /run/systemd/system)',
    });
    expect(t.healer.status()).toMatchObject({
      attempts: 1,
      verified_successes: 0,
      success_rate: 0,
    });
  });

  it('skips a disabled action without claiming anything', async () => {
    t = await startTestHealer(
      { auth_disabled: true, enable_exec_recovery: false, allowed_commands: ['/bin/true'] },
      `
- matchers: ['alertname="RunTrue"']
  action: exec
  target: t
  argv: ['/bin/true']
`,
    );
    const response = await send('RunTrue');
    expect(response.body.decisions).toEqual([
      expect.objectContaining({ decision: 'skipped', reason: 'disabled', rule: 'rule-0' }),
    ]);
    expect(t.healer.status().recent.at(-1)).toMatchObject({
      decision: 'skipped',
      reason: 'disabled',
      error: 'recovery.enable_exec_recovery is false',
    });
  });
});
