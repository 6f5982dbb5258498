// The real agent whose audit file cannot be written (its path is a directory): it serves,
// but /heal answers 503, /healthz reports degraded and the metric says 0, until the path
// can be written again.
import { mkdir, rm } from 'node:fs/promises';
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
      { allowed_commands: ['/bin/true'], audit_file: '/placeholder' },
      () =>
        `- matchers: ['alertname="RunTrue"']\n  action: exec\n  target: t\n  argv: ['/bin/true']\n`,
    );
    const auditPath = join(agent.dir, 'audit-dir');
    await mkdir(auditPath);
    const { readFile, writeFile } = await import('node:fs/promises');
    const config = join(agent.dir, 'sentinel.yml');
    await writeFile(config, (await readFile(config, 'utf8')).replace('/placeholder', auditPath));
    await agent.start({ healthy: false });

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
    const writable = async () =>
      sampleValue(
        parseExposition(await (await fetch(`${agent.url}/metrics`)).text()),
        'aegis_heal_audit_writable',
        {},
      );
    expect(await writable()).toBe(0);
    expect(agent.output()).toContain('"event":"heal_audit_write_failed"');

    // The operator fixes the path: the healer notices within seconds.
    await rm(auditPath, { recursive: true });
    await vi.waitFor(async () => expect(await writable()).toBe(1), {
      timeout: 15_000,
      interval: 200,
    });
    expect((await fetch(`${agent.url}/healthz`)).status).toBe(200);
    const accepted = await agent.post(notification([{ labels: { alertname: 'RunTrue' } }]));
    expect(accepted.status).toBe(202);
    await vi.waitFor(async () =>
      expect(await readFile(auditPath, 'utf8').catch(() => '')).toContain('"decision":"succeeded"'),
    );
  });
});
