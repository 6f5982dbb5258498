// exec's alert context: names and values of the environment, and a real program that
// reads them, with a value a shell would have run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import {
  alertEnvironment,
  envName,
  MAX_VALUE_BYTES,
} from '../../../../src/heal/actions/alert-env.js';
import { runFile } from '../../../../src/heal/actions/run-file.js';
import { notification, startTestHealer } from '../helpers.js';

const alert = {
  status: 'firing' as const,
  fingerprint: '0123456789abcdef',
  startsAt: '2025-01-01T00:00:00Z',
};

describe('alertEnvironment', () => {
  it('names every label and annotation AEGIS_LABEL_/AEGIS_ANNOTATION_ + the sanitised name', () => {
    expect(
      alertEnvironment({
        ...alert,
        labels: { alertname: 'DiskFull', mountpoint: '/var' },
        annotations: { summary: 'disk $(reboot) full', 'runbook-url': 'http://x/y', 'é.x': 'v' },
      }),
    ).toEqual({
      AEGIS_ALERT_STATUS: 'firing',
      AEGIS_ALERT_FINGERPRINT: '0123456789abcdef',
      AEGIS_ALERT_STARTS_AT: '2025-01-01T00:00:00Z',
      AEGIS_LABEL_ALERTNAME: 'DiskFull',
      AEGIS_LABEL_MOUNTPOINT: '/var',
      AEGIS_ANNOTATION_SUMMARY: 'disk $(reboot) full',
      AEGIS_ANNOTATION_RUNBOOK_URL: 'http://x/y',
      AEGIS_ANNOTATION___X: 'v',
    });
  });

  it('lets the name that sorts first win a collision, drops NUL and cuts long values', () => {
    const env = alertEnvironment({
      ...alert,
      labels: { alertname: 'A', team: 'second', TEAM: 'first', nul: 'a\0b' },
      annotations: { long: 'x'.repeat(MAX_VALUE_BYTES + 10) },
    });
    expect(env.AEGIS_LABEL_TEAM).toBe('first');
    expect(env.AEGIS_LABEL_NUL).toBe('ab');
    expect(env.AEGIS_ANNOTATION_LONG).toHaveLength(MAX_VALUE_BYTES);
    expect(envName('LABEL', 'a-b.c')).toBe('AEGIS_LABEL_A_B_C');
  });

  it('reaches a real program as its environment, beside PATH and LANG only', async () => {
    const { stdout } = await runFile('/usr/bin/env', [], new AbortController().signal, {
      AEGIS_LABEL_X: '`id`; $(reboot)',
    });
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual([
      'AEGIS_LABEL_X=`id`; $(reboot)',
      'LANG=C.UTF-8',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ]);
  });

  it('is what an exec rule run from a webhook sees, annotations included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-exec-env-'));
    const out = join(dir, 'env.txt');
    // The program is a shell, but the alert's values only ever reach it as variables.
    const t = await startTestHealer(
      { auth_disabled: true, allowed_commands: ['/bin/sh'] },
      `- name: dump-env
  matchers: ['alertname="DiskFull"']
  action: exec
  target: dump
  argv: ['/bin/sh', '-c', 'env > "$0"', '${out}']
`,
    );
    try {
      const body = notification([{ labels: { alertname: 'DiskFull', mountpoint: 'var' } }]);
      (body.alerts as { annotations: Record<string, unknown> }[])[0]!.annotations = {
        summary: 'x; rm -rf /',
        ignored: 42,
      };
      expect((await request(t.app).post('/heal').send(body)).status).toBe(202);
      await vi.waitFor(async () => {
        const lines = (await readFile(out, 'utf8')).split('\n');
        expect(lines).toContain('AEGIS_LABEL_ALERTNAME=DiskFull');
        expect(lines).toContain('AEGIS_LABEL_MOUNTPOINT=var');
        expect(lines).toContain('AEGIS_ANNOTATION_SUMMARY=x; rm -rf /');
        expect(lines.some((line) => line.startsWith('AEGIS_ANNOTATION_IGNORED'))).toBe(false);
      });
    } finally {
      await t.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
