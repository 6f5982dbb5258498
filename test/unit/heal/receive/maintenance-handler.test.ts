// The maintenance switch: the endpoint (behind the agent's server, with basic auth on the
// other paths, as /heal is), the flag, and what a pause does to decisions: new alerts and
// queued work are skipped with reason `maintenance`, and healing resumes after.
import { Registry } from 'prom-client';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BasicAuth } from '../../../../src/http/basic-auth.js';
import { createApp } from '../../../../src/http/app.js';
import { ExpositionRenderer } from '../../../../src/metrics/exposition.js';
import { capturingLogger } from '../../../support/capturing-logger.js';
import { notification, startTestHealer, type TestHealer } from '../helpers.js';

const TOKEN = 'maintenance-token';
const POLICY = `
- name: fix
  matchers: ['alertname="Broken"']
  action: exec
  target: fix
  argv: [/bin/false]
  cooldown: 0s
  max_attempts: 3
`;

let t: TestHealer;
afterEach(() => t?.cleanup());

async function start(config: Record<string, unknown> = {}) {
  process.env.AEGIS_MAINTENANCE_TEST_TOKEN = TOKEN;
  t = await startTestHealer(
    {
      auth_token_env: 'AEGIS_MAINTENANCE_TEST_TOKEN',
      allowed_commands: ['/bin/false'],
      backoff_initial: 0.3,
      ...config,
    },
    POLICY,
  );
  // Behind the agent's own listener, every other path asking for basic auth.
  return createApp({
    renderer: new ExpositionRenderer(new Registry()),
    status: () => ({}),
    health: () => ({ healthy: true }),
    logger: capturingLogger('debug').logger,
    heal: t.healer.handler(),
    healMaintenance: t.healer.maintenanceHandler(),
    basicAuth: new BasicAuth({
      alice: '$2b$04$xdGSvGEJIfzPGRQb8CbQD.Rf.AyWloPhmIDx8nl9ukrWjz/iesCoS',
    }),
  });
}

const bearer = { authorization: `Bearer ${TOKEN}` };

describe('/heal/maintenance', () => {
  it('answers only the healing token, and GET, POST and DELETE', async () => {
    const app = await start();
    expect((await request(app).get('/heal/maintenance')).status).toBe(401);
    const wrong = await request(app).post('/heal/maintenance').set('authorization', 'Bearer nope');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'unauthorized', message: 'missing or wrong bearer token' });
    expect((await request(app).get('/heal/maintenance').set(bearer)).body).toEqual({
      maintenance: false,
      since: null,
      reason: null,
    });
    const put = await request(app).put('/heal/maintenance').set(bearer);
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, POST, DELETE');
    expect(t.healer.holds.maintenanceState().maintenance).toBe(false);
  });

  it('pauses every decision, queued retries included, and resumes', async () => {
    const app = await start();
    const alert = { labels: { alertname: 'Broken' }, fingerprint: '00000000000000b1' };
    expect(
      (
        await request(app)
          .post('/heal')
          .set(bearer)
          .send(notification([alert]))
      ).status,
    ).toBe(202);
    // The first attempt fails; its retry waits for its backoff.
    await vi.waitFor(() =>
      expect(t.healer.status().recent.map((e) => e.decision)).toContain('deferred'),
    );
    const paused = await request(app).post('/heal/maintenance?reason=db%20migration').set(bearer);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ maintenance: true, reason: 'db migration' });
    const since = paused.body.since as string;

    // The retry comes due during the pause: skipped, its claim released.
    await vi.waitFor(() =>
      expect(t.healer.status().recent.at(-1)).toMatchObject({
        decision: 'skipped',
        reason: 'maintenance',
        attempt: 2,
      }),
    );
    // A new alert during the pause: skipped with the pause named.
    const other = { labels: { alertname: 'Broken', x: '1' }, fingerprint: '00000000000000b2' };
    const during = await request(app)
      .post('/heal')
      .set(bearer)
      .send(notification([other]));
    expect(during.body.decisions).toEqual([
      {
        fingerprint: '00000000000000b2',
        alertname: 'Broken',
        rule: 'fix',
        decision: 'skipped',
        reason: 'maintenance',
      },
    ]);
    expect(t.healer.status().recent.at(-1)?.error).toBe(
      `healing is paused for maintenance since ${since}: db migration`,
    );
    expect(t.healer.status()).toMatchObject({
      attempts: 1,
      maintenance: { maintenance: true, since, reason: 'db migration' },
    });
    expect(await t.registry.getSingleMetricAsString('aegis_heal_maintenance')).toContain(
      'aegis_heal_maintenance 1',
    );
    expect(t.lines.find((line) => line.event === 'heal_maintenance_started')).toMatchObject({
      reason: 'db migration',
    });

    const resumed = await request(app).delete('/heal/maintenance').set(bearer);
    expect(resumed.body).toEqual({ maintenance: false, since: null, reason: null });
    // Redelivered after the pause, the episode acts again.
    await request(app)
      .post('/heal')
      .set(bearer)
      .send(notification([alert]));
    await vi.waitFor(() => expect(t.healer.status().attempts).toBe(2));
  });

  it('starts paused with recovery.maintenance', async () => {
    await start({ maintenance: true });
    expect(t.healer.holds.maintenanceState()).toMatchObject({ maintenance: true, reason: null });
    const response = await request(t.app)
      .post('/heal')
      .set(bearer)
      .send(notification([{ labels: { alertname: 'Broken' } }]));
    expect(response.body.decisions[0]).toMatchObject({
      decision: 'skipped',
      reason: 'maintenance',
    });
    expect(t.healer.status().attempts).toBe(0);
  });
});
