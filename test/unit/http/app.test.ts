import { once } from 'node:events';
import {
  createServer,
  get,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { WebhookHandler } from '../../../src/heal/receive/webhook-handler.js';
import { sendJson } from '../../../src/http/json-response.js';
import { createApp, type AppOptions } from '../../../src/http/app.js';
import { BasicAuth } from '../../../src/http/basic-auth.js';
import { silentLogger } from '../../../src/logger.js';
import { ExpositionRenderer } from '../../../src/metrics/exposition.js';
import { registerProbeMetrics } from '../../../src/metrics/probe-metrics.js';
import { capturingLogger } from '../../support/capturing-logger.js';
import { expectInternalError } from '../../support/internal-error.js';
import { snapshotFixture } from '../support/snapshot-fixture.js';

function app(
  health = { healthy: true } as { healthy: boolean; reason?: string },
  telemetryPath?: string,
  extra: Partial<AppOptions> = {},
) {
  const registry = new Registry();
  registerProbeMetrics(registry, () => snapshotFixture());
  const heal: WebhookHandler = (req, res) => {
    sendJson(res, 202, { method: req.method, url: req.url });
  };
  return createApp({
    renderer: new ExpositionRenderer(registry),
    status: () => ({ service_status: 'running' }),
    health: () => health,
    logger: silentLogger(),
    heal,
    ...(telemetryPath === undefined ? {} : { telemetryPath }),
    ...extra,
  });
}

/** alice's password is alice123 (a libxcrypt hash, cost 4 to keep the test fast). */
const USERS = { alice: '$2b$04$xdGSvGEJIfzPGRQb8CbQD.Rf.AyWloPhmIDx8nl9ukrWjz/iesCoS' };

/** GET `path` through a real socket, the body as it came off the wire (not unzipped). */
async function rawGet(
  listener: RequestListener,
  path: string,
  headers: Record<string, string>,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  const server = createServer(listener).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      get({ host: '127.0.0.1', port, path, headers }, resolve).on('error', reject),
    );
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    return { headers: response.headers, body: Buffer.concat(chunks) };
  } finally {
    server.close();
  }
}

describe('HTTP app', () => {
  it('serves the exposition at /metrics', async () => {
    const response = await request(app()).get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(response.text).toContain('aegis_probe_success{target="api"} 0\n');
  });

  it('serves OpenMetrics when the scraper asks for it', async () => {
    const response = await request(app())
      .get('/metrics')
      .set('accept', 'application/openmetrics-text; version=1.0.0');
    expect(response.headers['content-type']).toBe(
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    expect(response.text.endsWith('# EOF\n')).toBe(true);
  });

  it('gzips the exposition when the scraper accepts gzip, as Prometheus does', async () => {
    const plain = await request(app()).get('/metrics').set('accept-encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toContain('aegis_probe_success{target="api"} 0\n');
    const zipped = await rawGet(app(), '/metrics', { 'accept-encoding': 'gzip, deflate' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(zipped.headers.vary).toBe('Accept, Accept-Encoding');
    expect(gunzipSync(zipped.body).toString()).toBe(plain.text);
    const refused = await request(app()).get('/metrics').set('accept-encoding', 'gzip;q=0');
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('serves the exposition at web.telemetry_path instead of /metrics', async () => {
    const moved = app(undefined, '/internal/metrics');
    expect((await request(moved).get('/internal/metrics')).text).toContain('aegis_probe_success');
    expect((await request(moved).get('/metrics')).status).toBe(404);
    expect((await request(moved).post('/internal/metrics')).headers.allow).toBe('GET, HEAD');
  });

  it('asks every path for basic auth when the web configuration has users', async () => {
    const secured = app(undefined, undefined, { basicAuth: new BasicAuth(USERS) });
    for (const path of ['/', '/metrics', '/status', '/healthz', '/nope']) {
      const refused = await request(secured).get(path);
      expect(refused.status, path).toBe(401);
      expect(refused.headers['www-authenticate']).toBe(
        'Basic realm="aegis-sentinel", charset="UTF-8"',
      );
    }
    expect((await request(secured).get('/metrics').auth('alice', 'wrong')).status).toBe(401);
    expect((await request(secured).get('/metrics').auth('mallory', 'alice123')).status).toBe(401);
    expect((await request(secured).get('/metrics').auth('alice', 'alice123')).status).toBe(200);
  });

  it("leaves POST /heal to the healer's bearer token, unless the healer has none", async () => {
    const secured = app(undefined, undefined, { basicAuth: new BasicAuth(USERS) });
    expect((await request(secured).post('/heal').send({})).status).toBe(202);
    expect((await request(secured).get('/heal')).status).toBe(401);
    const open = app(undefined, undefined, {
      basicAuth: new BasicAuth(USERS),
      healHasOwnAuth: false,
    });
    expect((await request(open).post('/heal').send({})).status).toBe(401);
    expect((await request(open).post('/heal').auth('alice', 'alice123').send({})).status).toBe(202);
  });

  it("adds the web configuration's headers to every response", async () => {
    const withHeaders = app(undefined, undefined, { headers: { 'X-Frame-Options': 'deny' } });
    expect((await request(withHeaders).get('/metrics')).headers['x-frame-options']).toBe('deny');
    expect((await request(withHeaders).post('/heal').send({})).headers['x-frame-options']).toBe(
      'deny',
    );
  });

  it('serves the status as JSON', async () => {
    const response = await request(app()).get('/status');
    expect(response.body).toEqual({ service_status: 'running' });
  });

  it('answers /healthz 200 when healthy and 503 with the reason when not', async () => {
    expect((await request(app()).get('/healthz')).body).toEqual({ status: 'ok' });
    const sick = await request(app({ healthy: false, reason: 'agent is stopping' })).get(
      '/healthz',
    );
    expect(sick.status).toBe(503);
    expect(sick.body).toEqual({ status: 'unhealthy', reason: 'agent is stopping' });
  });

  it('links the endpoints from the landing page', async () => {
    const response = await request(app()).get('/');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.text).toContain('<a href="metrics">Metrics</a>');
    expect(response.text).toContain('<a href="status">Status</a>');
  });

  it("hands POST /heal, with or without a query, to the healer's listener", async () => {
    expect((await request(app()).post('/heal').send({})).body).toEqual({
      method: 'POST',
      url: '/heal',
    });
    expect((await request(app()).post('/heal?from=am').send({})).body).toEqual({
      method: 'POST',
      url: '/heal?from=am',
    });
  });

  it('leaves paths that only start with /heal to express', async () => {
    const response = await request(app()).post('/healthz');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect((await request(app()).post('/heal/extra')).status).toBe(404);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await request(app()).get('/nope');
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: 'not_found', message: 'no such path: /nope' });
  });

  it('answers a wrong method on a known path with a JSON 405 and Allow', async () => {
    const response = await request(app()).delete('/metrics');
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.body).toEqual({
      error: 'method_not_allowed',
      message: 'DELETE is not allowed on /metrics; use GET, HEAD',
    });
    const heal = await request(app()).get('/heal');
    expect(heal.status).toBe(405);
    expect(heal.headers.allow).toBe('POST');
    expect(heal.body).toEqual({
      error: 'method_not_allowed',
      message: 'GET is not allowed on /heal; use POST',
    });
  });

  it('answers an unexpected failure with a logged JSON 500', async () => {
    const { logger, lines } = capturingLogger();
    const failing = createApp({
      // A renderer that fails, as the real one cannot be made to on demand.
      renderer: {
        render: () => Promise.reject(new Error('registry exploded')),
      } as unknown as ExpositionRenderer,
      status: () => ({}),
      health: () => ({ healthy: true }),
      logger,
    });
    const response = await request(failing).get('/metrics');
    expectInternalError(response, lines, '/metrics', 'registry exploded');
  });
});
