// The audit file failing closed: a path that cannot be opened is reported, not thrown,
// `writable` says so, and the file is opened again once it can be.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../../../src/heal/audit/audit-log.js';
import { capturingLogger } from '../../../support/capturing-logger.js';
import { notification, startTestHealer, type TestHealer } from '../helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-audit-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

const entry = {
  time: '2025-01-01T00:00:00.000Z',
  decision: 'skipped' as const,
  reason: 'no_match',
  source: 'webhook' as const,
  alertname: 'A',
  fingerprint: 'f',
  starts_at: '2025-01-01T00:00:00Z',
};

describe('AuditLog', () => {
  it('reports a path it cannot open, retries every 5 s, and writes once it can', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const file = join(dir, 'audit.jsonl');
    await mkdir(file);
    const { logger, lines } = capturingLogger('debug');
    const changes: boolean[] = [];
    const audit = new AuditLog({
      file,
      recentEntries: 5,
      logger,
      onWritableChange: (writable) => changes.push(writable),
    });
    audit.open();
    expect(audit.writable).toBe(false);
    expect(lines.map((l) => l.event)).toEqual(['heal_audit_write_failed']);
    expect(lines[0]?.msg).toMatch(/^cannot write the healing audit file .*audit\.jsonl: EISDIR/);

    vi.advanceTimersByTime(5_000);
    // Still a directory: not logged again.
    expect(lines.map((l) => l.event)).toEqual(['heal_audit_write_failed']);

    await rm(file, { recursive: true });
    vi.advanceTimersByTime(5_000);
    expect(audit.writable).toBe(true);
    expect(changes).toEqual([true]);
    expect(lines.at(-1)?.event).toBe('heal_audit_writable');
    audit.append(entry);
    await audit.close();
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(entry);
  });

  it('turns unwritable when a write fails', async () => {
    const file = join(dir, 'audit.jsonl');
    const { logger } = capturingLogger('debug');
    const changes: boolean[] = [];
    const audit = new AuditLog({
      file,
      recentEntries: 5,
      logger,
      onWritableChange: (w) => changes.push(w),
    });
    audit.open();
    expect(audit.writable).toBe(true);
    // /dev/full: every write fails with ENOSPC, as a full disk would.
    const full = new AuditLog({
      file: '/dev/full',
      recentEntries: 5,
      logger,
      onWritableChange: (w) => changes.push(w),
    });
    full.open();
    full.append(entry);
    await vi.waitFor(() => expect(full.writable).toBe(false));
    expect(changes).toEqual([true, true, false]);
    await full.close();
    await audit.close();
  });
});

describe('the healer with an audit it cannot write', () => {
  const policy = `- matchers: ['alertname="RunTrue"']\n  action: exec\n  target: t\n  argv: ['/bin/true']\n`;
  const send = (t: TestHealer) =>
    request(t.app)
      .post('/heal')
      .send(notification([{ labels: { alertname: 'RunTrue' } }]));

  it('refuses work with 503 and reports degraded, by default', async () => {
    const auditDir = join(dir, 'is-a-directory');
    await mkdir(auditDir);
    const t = await startTestHealer(
      { auth_disabled: true, allowed_commands: ['/bin/true'], audit_file: auditDir },
      policy,
    );
    try {
      const response = await send(t);
      expect(response.status).toBe(503);
      expect(response.body.error).toBe('audit_unwritable');
      expect(t.healer.health()).toEqual({
        healthy: false,
        reason: 'healer degraded: audit_unwritable',
      });
      expect(t.healer.status().attempts).toBe(0);
    } finally {
      await t.cleanup();
    }
  });

  it('heals anyway when recovery.audit_fail_open says so', async () => {
    const auditDir = join(dir, 'is-a-directory');
    await mkdir(auditDir);
    const t = await startTestHealer(
      {
        auth_disabled: true,
        allowed_commands: ['/bin/true'],
        audit_file: auditDir,
        audit_fail_open: true,
      },
      policy,
    );
    try {
      expect((await send(t)).status).toBe(202);
      await vi.waitFor(() => expect(t.healer.status().unverified).toBe(1));
      expect(t.healer.health()).toEqual({ healthy: true });
      expect(await t.registry.getSingleMetricAsString('aegis_heal_audit_writable')).toMatch(
        /^aegis_heal_audit_writable 0$/m,
      );
    } finally {
      await t.cleanup();
    }
  });
});
