// The real agent whose audit file stops taking writes (the disk is full: the path is a
// link to /dev/full, which opens but answers every write with ENOSPC): it serves, but
// /heal answers 503, /healthz reports degraded and the metric says 0, until the path can
// be written again. (A path that cannot be written at start stops the start instead.)
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sampleValue, parseExposition } from '../../support/exposition.js';
import { agentCli, type CrashableAgent, crashableAgent } from './crash-support.js';
import { notification } from './helpers.js';

beforeAll(async () => {
  await agentCli();
}, 300_000);

describe('an audit file that cannot be written', () => {
  let agent: CrashableAgent;
  afterAll(() => agent?.cleanup());

  it('fails closed: 503 on /heal, /healthz degraded, aegis_heal_audit_writable 0; and recovers', async () => {
    agent = await crashableAgent(
      { allowed_commands: ['/bin/true'], audit_file: '/placeholder', backoff_initial: 0 },
      () =>
        `- matchers: ['alertname="RunTrue"']\n  action: exec\n  target: t\n  argv: ['/bin/true']\n  cooldown: 0s\n`,
    );
    const auditPath = join(agent.dir, 'audit.jsonl');
    await symlink('/dev/full', auditPath);
    const { readFile, writeFile } = await import('node:fs/promises');
    const config = join(agent.dir, 'sentinel.yml');
    await writeFile(config, (await readFile(config, 'utf8')).replace('/placeholder', auditPath));
    await agent.start();
    const writable = async () =>
      sampleValue(
        parseExposition(await (await fetch(`${agent.url}/metrics`)).text()),
        'aegis_heal_audit_writable',
        {},
      );
    // The first decision's audit line is the first write: it fails.
    expect((await agent.post(notification([{ labels: { alertname: 'RunTrue' } }]))).status).toBe(
      202,
    );
    await vi.waitFor(async () => expect(await writable()).toBe(0), { timeout: 10_000 });

    const health = await fetch(`${agent.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({
      status: 'degraded',
      reason: 'healer degraded: audit_unwritable',
    });
    const refused = await agent.post(notification([{ labels: { alertname: 'RunTrue' } }]));
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      error: 'audit_unwritable',
      message: `the healing audit file ${auditPath} cannot be written, so nothing is healed (recovery.audit_fail_open is off); deliver again later`,
    });
    expect(agent.output()).toContain('"event":"heal_audit_write_failed"');

    // The operator frees the disk (here: a regular file again): the healer notices within seconds.
    await rm(auditPath);
    await vi.waitFor(async () => expect(await writable()).toBe(1), {
      timeout: 15_000,
      interval: 200,
    });
    expect((await fetch(`${agent.url}/healthz`)).status).toBe(200);
    const accepted = await agent.post(notification([{ labels: { alertname: 'RunTrue' } }]));
    expect(accepted.status).toBe(202);
    await vi.waitFor(async () =>
      expect(await readFile(auditPath, 'utf8').catch(() => '')).toContain(
        '"decision":"unverified"',
      ),
    );
  });
});
