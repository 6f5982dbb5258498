import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHttp } from '../../../src/collect/http-probe.js';
import type { EndpointConfig } from '../../../src/config/monitoring.js';

let server: Server;
let base = '';
const seen: { method: string; path: string; connection: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, path: req.url!, connection: req.headers.connection });
    if (req.url === '/ok') res.writeHead(200).end('x'.repeat(100_000));
    else if (req.url === '/fail') res.writeHead(503).end('down');
    else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
    else if (req.url === '/see-other') res.writeHead(303, { location: '/ok' }).end();
    else if (req.url === '/loop') res.writeHead(301, { location: '/loop' }).end();
    // '/hang' never answers
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(
  () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
);

const endpoint = (path: string, more: Partial<EndpointConfig> = {}): EndpointConfig => ({
  url: `${base}${path}`,
  method: 'GET',
  ...more,
});

describe('probeHttp', () => {
  it('succeeds on a 2xx, reads the whole body on a new connection and names the target', async () => {
    seen.length = 0;
    const result = await probeHttp(endpoint('/ok', { name: 'api' }), 5);
    expect(result).toEqual({
      target: 'api',
      url: `${base}/ok`,
      success: true,
      status_code: 200,
      duration_seconds: result.duration_seconds,
    });
    expect(result.duration_seconds).toBeGreaterThan(0);
    expect(result.duration_seconds).toBeLessThan(1);
    expect(seen).toEqual([{ method: 'GET', path: '/ok', connection: 'close' }]);
  });

  it('fails on another status, saying which', async () => {
    const result = await probeHttp(endpoint('/fail'), 5);
    expect(result).toMatchObject({
      target: `${base}/fail`,
      success: false,
      status_code: 503,
      error: 'unexpected status 503',
    });
  });

  it('counts valid_status_codes as success instead of 2xx', async () => {
    const result = await probeHttp(endpoint('/fail', { valid_status_codes: [503] }), 5);
    expect(result).toMatchObject({ success: true, status_code: 503 });
    expect(result.error).toBeUndefined();
  });

  it('follows redirects, a 303 as GET, and gives up after ten', async () => {
    seen.length = 0;
    expect(await probeHttp(endpoint('/moved'), 5)).toMatchObject({
      success: true,
      status_code: 200,
    });
    expect(await probeHttp(endpoint('/see-other', { method: 'POST' }), 5)).toMatchObject({
      success: true,
    });
    expect(seen.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'GET /moved',
      'GET /ok',
      'POST /see-other',
      'GET /ok',
    ]);
    expect(await probeHttp(endpoint('/loop'), 5)).toMatchObject({
      success: false,
      status_code: 0,
      error: 'too many redirects',
    });
  });

  it('sends HEAD when asked', async () => {
    seen.length = 0;
    expect(await probeHttp(endpoint('/ok', { method: 'HEAD' }), 5)).toMatchObject({
      success: true,
    });
    expect(seen[0]?.method).toBe('HEAD');
  });

  it('ends a hanging endpoint at its timeout, with the timeout as its duration', async () => {
    const result = await probeHttp(endpoint('/hang'), 0.2);
    expect(result).toMatchObject({ success: false, status_code: 0, error: 'timed out after 0.2s' });
    expect(result.duration_seconds).toBeGreaterThanOrEqual(0.2);
    expect(result.duration_seconds).toBeLessThan(0.5);
  });

  it('ends a probe at once when the agent stops', async () => {
    const stopping = new AbortController();
    const probe = probeHttp(endpoint('/hang'), 30, stopping.signal);
    setTimeout(() => stopping.abort(), 50);
    const result = await probe;
    expect(result).toMatchObject({ success: false, error: 'the agent is stopping' });
    expect(result.duration_seconds).toBeLessThan(1);
  });

  it('names a refused connection by its code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await probeHttp({ url: `http://127.0.0.1:${port}/`, method: 'GET' }, 5);
    expect(result).toMatchObject({ success: false, status_code: 0, error: 'ECONNREFUSED' });
  });
});
