import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { recoverySchema } from '../../../../src/config/recovery.js';
import { registerHealMetrics } from '../../../../src/heal/heal-metrics.js';
import { Healer } from '../../../../src/heal/healer.js';
import {
  createWebhookHandler,
  type WebhookHandlerOptions,
} from '../../../../src/heal/receive/webhook-handler.js';
import { silentLogger } from '../../../../src/logger.js';
import { capturingLogger } from '../../../support/capturing-logger.js';
import { expectInternalError } from '../../../support/internal-error.js';
import { notification, startTestHealer, type TestHealer } from '../helpers.js';

const TOKEN = 's3cret-token-for-tests';
const POLICY = `
- name: run-true
  matchers: ['alertname="RunTrue"']
  action: exec
  target: 'job-{{ $labels.job_name }}'
  argv: ['/bin/true', '--name', '{{ $labels.job_name }}']
  verify_command: ['/bin/true']
`;

function valid(labels: Record<string, string> = { alertname: 'RunTrue', job_name: 'nightly' }) {
  return notification([{ labels }]);
}

function withAlert(change: (alert: Record<string, unknown>) => void): Record<string, unknown> {
  const body = valid();
  change((body.alerts as Record<string, unknown>[])[0] as Record<string, unknown>);
  return body;
}

function without(key: string): Record<string, unknown> {
  const body = valid();
  delete body[key];
  return body;
}

interface BadRequest {
  name: string;
  body?: unknown;
  raw?: string;
  contentType?: string | null;
  contentEncoding?: string;
  authorization?: string | null;
  status: number;
  error: string;
  path: string;
}

const BIG = JSON.stringify({ ...valid(), padding: 'x'.repeat(5000) });

const CASES: BadRequest[] = [
  {
    name: 'no Authorization header',
    body: valid(),
    authorization: null,
    status: 401,
    error: 'unauthorized',
    path: 'authorization',
  },
  {
    name: 'wrong token',
    body: valid(),
    authorization: 'Bearer s3cret-token-for-tesTs',
    status: 401,
    error: 'unauthorized',
    path: 'authorization',
  },
  {
    name: 'token prefix only',
    body: valid(),
    authorization: 'Bearer s3cret',
    status: 401,
    error: 'unauthorized',
    path: 'authorization',
  },
  {
    name: 'Basic scheme',
    body: valid(),
    authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`,
    status: 401,
    error: 'unauthorized',
    path: 'authorization',
  },
  {
    name: 'empty bearer',
    body: valid(),
    authorization: 'Bearer ',
    status: 401,
    error: 'unauthorized',
    path: 'authorization',
  },
  {
    name: 'no content type',
    raw: JSON.stringify(valid()),
    contentType: null,
    status: 415,
    error: 'unsupported_media_type',
    path: 'content-type',
  },
  {
    name: 'text/plain',
    raw: JSON.stringify(valid()),
    contentType: 'text/plain',
    status: 415,
    error: 'unsupported_media_type',
    path: 'content-type',
  },
  {
    name: 'form encoded',
    raw: 'version=4',
    contentType: 'application/x-www-form-urlencoded',
    status: 415,
    error: 'unsupported_media_type',
    path: 'content-type',
  },
  {
    name: 'a charset other than UTF-8',
    raw: JSON.stringify(valid()),
    contentType: 'application/json; charset=iso-8859-1',
    status: 415,
    error: 'unsupported_media_type',
    path: 'content-type',
  },
  {
    name: 'gzip-compressed',
    raw: JSON.stringify(valid()),
    contentEncoding: 'gzip',
    status: 415,
    error: 'unsupported_media_type',
    path: 'content-encoding',
  },
  { name: 'empty body', raw: '', status: 400, error: 'invalid_json', path: '' },
  {
    name: 'broken JSON',
    raw: '{"version": "4", "alerts": [',
    status: 400,
    error: 'invalid_json',
    path: '',
  },
  {
    name: 'trailing garbage',
    raw: '{"version": "4"} x',
    status: 400,
    error: 'invalid_json',
    path: '',
  },
  { name: 'JSON null', raw: 'null', status: 400, error: 'invalid_notification', path: '' },
  { name: 'JSON array', raw: '[]', status: 400, error: 'invalid_notification', path: '' },
  { name: 'body over the limit', raw: BIG, status: 413, error: 'payload_too_large', path: '' },
  {
    name: 'version "3"',
    body: { ...valid(), version: '3' },
    status: 400,
    error: 'invalid_notification',
    path: 'version',
  },
  {
    name: 'version as a number',
    body: { ...valid(), version: 4 },
    status: 400,
    error: 'invalid_notification',
    path: 'version',
  },
  {
    name: 'missing version',
    body: without('version'),
    status: 400,
    error: 'invalid_notification',
    path: 'version',
  },
  {
    name: 'missing alerts',
    body: without('alerts'),
    status: 400,
    error: 'invalid_notification',
    path: 'alerts',
  },
  {
    name: 'empty alerts',
    body: { ...valid(), alerts: [] },
    status: 400,
    error: 'invalid_notification',
    path: 'alerts',
  },
  {
    name: 'alerts not a list',
    body: { ...valid(), alerts: { 0: {} } },
    status: 400,
    error: 'invalid_notification',
    path: 'alerts',
  },
  {
    name: 'group status pending',
    body: { ...valid(), status: 'pending' },
    status: 400,
    error: 'invalid_notification',
    path: 'status',
  },
  {
    name: 'missing receiver',
    body: without('receiver'),
    status: 400,
    error: 'invalid_notification',
    path: 'receiver',
  },
  {
    name: 'missing groupKey',
    body: without('groupKey'),
    status: 400,
    error: 'invalid_notification',
    path: 'groupKey',
  },
  {
    name: 'negative truncatedAlerts',
    body: { ...valid(), truncatedAlerts: -1 },
    status: 400,
    error: 'invalid_notification',
    path: 'truncatedAlerts',
  },
  {
    name: 'alert status wrong',
    body: withAlert((a) => (a.status = 'active')),
    status: 400,
    error: 'invalid_notification',
    path: 'alerts.0.status',
  },
  {
    name: 'alert without labels',
    body: withAlert((a) => delete a.labels),
    status: 400,
    error: 'invalid_notification',
    path: 'alerts.0.labels',
  },
  {
    name: 'label value a number',
    body: withAlert((a) => (a.labels = { alertname: 'RunTrue', job_name: 7 })),
    status: 400,
    error: 'invalid_notification',
    path: 'alerts.0.labels.job_name',
  },
  {
    name: 'label name with a dash',
    body: withAlert((a) => (a.labels = { alertname: 'RunTrue', 'bad-name': 'x' })),
    status: 400,
    error: 'invalid_notification',
    path: 'alerts.0.labels.bad-name',
  },
  {
    name: 'no alertname',
    body: withAlert((a) => (a.labels = { job_name: 'x' })),
    status: 400,
    error: 'invalid_notification',
    path: 'alerts.0.labels.alertname',
  },
  {
    name: 'startsAt not a time',
    body: withAlert((a) => (a.startsAt = 'yesterday')),
    status: 400,
    error: 'invalid_notification',
    path: 'alerts.0.startsAt',
  },
  {
    name: 'fingerprint not hex',
    body: withAlert((a) => (a.fingerprint = 'zz; rm -rf /')),
    status: 400,
    error: 'invalid_notification',
    path: 'alerts.0.fingerprint',
  },
  {
    name: 'shell command in a label',
    body: valid({ alertname: 'RunTrue', job_name: '; rm -rf /' }),
    status: 422,
    error: 'unsafe_label',
    path: 'alerts.0.labels.job_name',
  },
  {
    name: 'command substitution',
    body: valid({ alertname: 'RunTrue', job_name: '$(reboot)' }),
    status: 422,
    error: 'unsafe_label',
    path: 'alerts.0.labels.job_name',
  },
  {
    name: 'backticks',
    body: valid({ alertname: 'RunTrue', job_name: '`id`' }),
    status: 422,
    error: 'unsafe_label',
    path: 'alerts.0.labels.job_name',
  },
  {
    name: 'option injection',
    body: valid({ alertname: 'RunTrue', job_name: '--help' }),
    status: 422,
    error: 'unsafe_label',
    path: 'alerts.0.labels.job_name',
  },
  {
    name: 'newline',
    body: valid({ alertname: 'RunTrue', job_name: 'a\nb' }),
    status: 422,
    error: 'unsafe_label',
    path: 'alerts.0.labels.job_name',
  },
  {
    name: 'path traversal',
    body: valid({ alertname: 'RunTrue', job_name: '../../etc/passwd' }),
    status: 422,
    error: 'unsafe_label',
    path: 'alerts.0.labels.job_name',
  },
  {
    name: 'pipe',
    body: valid({ alertname: 'RunTrue', job_name: 'x|nc' }),
    status: 422,
    error: 'unsafe_label',
    path: 'alerts.0.labels.job_name',
  },
  {
    name: 'unsafe label in the second alert of a group',
    body: notification([
      { labels: { alertname: 'RunTrue', job_name: 'fine' } },
      { labels: { alertname: 'RunTrue', job_name: 'x && curl evil' } },
    ]),
    status: 422,
    error: 'unsafe_label',
    path: 'alerts.1.labels.job_name',
  },
];

describe('POST /heal refuses bad requests and changes nothing', () => {
  let t: TestHealer;
  beforeAll(async () => {
    process.env.AEGIS_TEST_HEAL_TOKEN = TOKEN;
    t = await startTestHealer(
      {
        auth_token_env: 'AEGIS_TEST_HEAL_TOKEN',
        allowed_commands: ['/bin/true'],
        max_body_bytes: 4096,
      },
      POLICY,
    );
  });
  afterAll(async () => {
    delete process.env.AEGIS_TEST_HEAL_TOKEN;
    await t.cleanup();
  });

  it('has at least thirty cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)('$name -> $status $error at "$path"', async (c) => {
    let req = request(t.app).post('/heal');
    if (c.authorization !== null)
      req = req.set('authorization', c.authorization ?? `Bearer ${TOKEN}`);
    if (c.contentType !== null) req = req.set('content-type', c.contentType ?? 'application/json');
    if (c.contentEncoding !== undefined) req = req.set('content-encoding', c.contentEncoding);
    const response = await req.send(c.raw ?? JSON.stringify(c.body));
    expect(response.status).toBe(c.status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body.error).toBe(c.error);
    expect(response.body.problems[0].path).toBe(c.path);
    expect(typeof response.body.message).toBe('string');
  });

  it('ran no action and started nothing for any of them', async () => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.healer.status()).toMatchObject({ attempts: 0, in_flight: 0 });
    expect(t.lines.filter((line) => line.event === 'heal_action_started')).toEqual([]);
    expect(t.healer.status().recent.filter((entry) => entry.decision !== 'skipped')).toEqual([]);
  });

  it('says exactly what was wrong', async () => {
    const missing = await request(t.app)
      .post('/heal')
      .set('authorization', `Bearer ${TOKEN}`)
      .send(withAlert((a) => delete a.startsAt));
    expect(missing.body).toEqual({
      error: 'invalid_notification',
      message: 'alerts.0.startsAt: required: expected string',
      problems: [{ path: 'alerts.0.startsAt', message: 'required: expected string' }],
    });
    const unsafe = await request(t.app)
      .post('/heal')
      .set('authorization', `Bearer ${TOKEN}`)
      .send(valid({ alertname: 'RunTrue', job_name: '$(reboot)' }));
    const message =
      'label job_name value "$(reboot)" does not match the safe pattern ^[A-Za-z0-9_][A-Za-z0-9_.:@+=-]{0,252}$';
    expect(unsafe.body).toEqual({
      error: 'unsafe_label',
      message: `alerts.0.labels.job_name: ${message}`,
      problems: [{ path: 'alerts.0.labels.job_name', message }],
    });
    expect(t.lines.filter((line) => line.event === 'heal_label_rejected').at(-1)).toMatchObject({
      alertname: 'RunTrue',
      label: 'job_name',
    });
  });

  it('counts refusals as invalid and unauthorized notifications', async () => {
    const text = await t.registry.getSingleMetricAsString('aegis_heal_notifications_total');
    expect(text).toContain('aegis_heal_notifications_total{status="unauthorized"} 5');
    expect(text).toMatch(/aegis_heal_notifications_total\{status="invalid"\} \d+/);
  });

  it('names the header or the body a refusal is about', async () => {
    const wrong = await request(t.app)
      .post('/heal')
      .set('authorization', 'Bearer nope')
      .send(valid());
    expect(wrong.headers['www-authenticate']).toBe(
      'Bearer realm="aegis-sentinel", error="invalid_token"',
    );
    expect(wrong.body).toEqual({
      error: 'unauthorized',
      message: 'authorization: wrong bearer token',
      problems: [{ path: 'authorization', message: 'wrong bearer token' }],
    });
    const big = await request(t.app)
      .post('/heal')
      .set('authorization', `Bearer ${TOKEN}`)
      .set('content-type', 'application/json')
      .send(BIG);
    expect(big.body).toEqual({
      error: 'payload_too_large',
      message: '(body): larger than recovery.max_body_bytes (4096)',
      problems: [{ path: '', message: 'larger than recovery.max_body_bytes (4096)' }],
    });
  });

  it('logs a sender that hangs up mid-body, and neither answers nor acts', async () => {
    const server = createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const req = httpRequest({
      host: '127.0.0.1',
      port: (server.address() as AddressInfo).port,
      method: 'POST',
      headers: {
        authorization: `Bearer ${TOKEN}`,
        'content-type': 'application/json',
        'content-length': '500',
      },
    });
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', () => undefined);
    req.write('{"version": "4", "alerts": [');
    await new Promise((resolve) => setTimeout(resolve, 20));
    req.destroy();
    await vi.waitFor(() =>
      expect(t.lines.filter((line) => line.event === 'heal_request_aborted')).toEqual([
        expect.objectContaining({ level: 'debug', msg: 'the request broke off: aborted' }),
      ]),
    );
    await new Promise((resolve) => server.close(resolve));
    expect(answered).toBe(false);
    expect(t.healer.status()).toMatchObject({ attempts: 0, in_flight: 0 });
  });

  it('accepts a valid notification at once and runs the action afterwards', async () => {
    const response = await request(t.app)
      .post('/heal')
      .set('authorization', `Bearer ${TOKEN}`)
      .send(valid());
    expect(response.status).toBe(202);
    expect(response.body).toEqual({
      status: 'accepted',
      decisions: [
        {
          fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
          alertname: 'RunTrue',
          rule: 'run-true',
          decision: 'queued',
        },
      ],
    });
    await vi.waitFor(() =>
      expect(t.healer.status()).toMatchObject({ attempts: 1, verified_successes: 1 }),
    );
    expect(t.healer.status().recent.at(-1)).toMatchObject({
      decision: 'succeeded',
      action: 'exec',
      target: 'exec:job-nightly',
      argv: ['/bin/true', '--name', 'nightly'],
    });
  });

  it('ignores the fields it does not read, and warns when Alertmanager truncated the group', async () => {
    const body = notification([
      { labels: { alertname: 'RunTrue', job_name: 'x' }, status: 'resolved' },
    ]);
    Object.assign(body, { truncatedAlerts: 3, commonLabels: 7, externalURL: null, newField: [] });
    Object.assign((body.alerts as Record<string, unknown>[])[0] as Record<string, unknown>, {
      annotations: 'x',
      endsAt: 'whenever',
      generatorURL: 5,
    });
    const response = await request(t.app)
      .post('/heal')
      .set('authorization', `Bearer ${TOKEN}`)
      .send(body);
    expect(response.status).toBe(202);
    expect(response.body.decisions).toEqual([
      {
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        alertname: 'RunTrue',
        decision: 'skipped',
        reason: 'resolved',
      },
    ]);
    expect(t.lines.filter((line) => line.event === 'heal_notification_truncated')).toEqual([
      expect.objectContaining({
        level: 'warn',
        receiver: 'aegis',
        group_key: '{}:{alertname="Test"}',
        truncated_alerts: 3,
        msg: "Alertmanager left 3 alert(s) out of this notification (the receiver's max_alerts): the healer never sees them",
      }),
    ]);
  });
});

describe('POST /heal without a configured token', () => {
  it('refuses with 403 and says how to set one', async () => {
    const t = await startTestHealer(
      { auth_token_env: 'AEGIS_TEST_UNSET_TOKEN', allowed_commands: ['/bin/true'] },
      POLICY,
    );
    try {
      const response = await request(t.app).post('/heal').send(valid());
      expect(response.status).toBe(403);
      expect(response.body.error).toBe('auth_not_configured');
      expect(response.body.message).toBe(
        "healing needs a token: set recovery.auth_token_file to a file holding the token, or the environment variable AEGIS_TEST_UNSET_TOKEN, and send it as Alertmanager's authorization credentials; or set recovery.auth_disabled: true to accept unauthenticated requests",
      );
    } finally {
      await t.cleanup();
    }
  });

  it('accepts without a token only when auth_disabled is set', async () => {
    const t = await startTestHealer(
      {
        auth_token_env: 'AEGIS_TEST_UNSET_TOKEN',
        auth_disabled: true,
        dry_run: true,
        allowed_commands: ['/bin/true'],
      },
      POLICY,
    );
    try {
      const response = await request(t.app).post('/heal').send(valid());
      expect(response.status).toBe(202);
    } finally {
      await t.cleanup();
    }
  });
});

describe('POST /heal outside the happy path', () => {
  it('answers 503 before the healer started, so Alertmanager delivers again', async () => {
    const healer = new Healer({
      config: recoverySchema.parse({ auth_disabled: true }),
      registry: new Registry(),
      logger: silentLogger(),
    });
    const response = await request(healer.handler()).post('/heal').send(valid());
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      error: 'healer_not_running',
      message: 'the healer is not running; deliver again later',
    });
  });

  // The listener alone, with parts that fail as no real part can be made to on demand.
  function listener(overrides: Partial<WebhookHandlerOptions>) {
    const { logger, lines } = capturingLogger();
    const handler = createWebhookHandler({
      ready: () => true,
      auth: { check: () => 'ok', howToConfigure: '' },
      maxBodyBytes: 4096,
      metrics: registerHealMetrics(new Registry()),
      logger,
      receive: async () => ({ status: 202, body: { status: 'accepted' } }),
      ...overrides,
    });
    return { handler, lines };
  }

  it('judges one notification at a time, and answers 503 when no more bodies may wait', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const judged: string[] = [];
    const { handler, lines } = listener({
      maxWaitingBytes: 0,
      receive: async (notification) => {
        judged.push(notification.groupKey);
        await gate;
        return { status: 202, body: { status: 'accepted' } };
      },
    });
    const first = request(handler)
      .post('/heal')
      .send({ ...valid(), groupKey: 'first' })
      .then((response) => response);
    await vi.waitFor(() => expect(judged).toEqual(['first']));
    const second = await request(handler)
      .post('/heal')
      .send({ ...valid(), groupKey: 'second' });
    expect([second.status, second.body]).toEqual([
      503,
      { error: 'healer_busy', message: '0 notification(s) wait to be judged; deliver again later' },
    ]);
    expect(lines.find((line) => line.event === 'heal_notification_refused')).toMatchObject({
      level: 'warn',
      reason: 'busy',
    });
    open();
    expect((await first).status).toBe(202);
    expect(judged).toEqual(['first']);
  });

  it.each([
    [
      'a throw before the body is read',
      {
        auth: {
          check: () => {
            throw new Error('token store exploded');
          },
          howToConfigure: '',
        },
      },
      'token store exploded',
    ],
    [
      'a rejection after it',
      {
        receive: async () => {
          throw new Error('dispatcher exploded');
        },
      },
      'dispatcher exploded',
    ],
  ])('answers a JSON 500 and logs it, for %s', async (_name, overrides, cause) => {
    const { handler, lines } = listener(overrides as Partial<WebhookHandlerOptions>);
    const response = await request(handler).post('/heal').send(valid());
    expectInternalError(response, lines, '/heal', cause);
  });
});
