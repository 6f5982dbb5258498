/**
 * The server's limits (web.request_timeout, headers_timeout, body_timeout,
 * keep_alive_timeout, max_connections) against real sockets: clients that stall or
 * trickle their body, with and without a token, are cut at the limit, and the cap on
 * connections holds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { AegisSentinel } from '../../src/index.js';
import { capturingLogger } from '../support/capturing-logger.js';

const TOKEN = 'http-limits-test-token';
process.env.AEGIS_HTTP_LIMITS_TOKEN = TOKEN;

let sentinel: AegisSentinel | undefined;
let dir: string | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await sentinel?.stop();
  sentinel = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(web: Record<string, unknown>) {
  dir = await mkdtemp(join(tmpdir(), 'aegis-http-limits-'));
  const { logger, lines } = capturingLogger('info');
  sentinel = new AegisSentinel(
    {
      web: { listen_address: '127.0.0.1:0', ...web },
      monitoring: { collection_interval: 0.5, enable_container_monitoring: false },
      detection: { state_file: join(dir, 'detector-state.json') },
      recovery: {
        auth_token_env: 'AEGIS_HTTP_LIMITS_TOKEN',
        audit_file: join(dir, 'audit.jsonl'),
        enable_local_alerts: false,
      },
    },
    { logger },
  );
  await sentinel.start();
  return { port: sentinel.address()!.port, lines };
}

interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received(): string;
  /** Resolves with the ms from `since` to the server closing the connection. */
  closed: Promise<number>;
  opened: number;
}

function open(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => undefined);
    const opened = performance.now();
    const closed = new Promise<number>((done) =>
      socket.once('close', () => done(performance.now() - opened)),
    );
    socket.once('connect', () => resolve({ socket, received: () => text, closed, opened }));
    socket.once('error', reject);
  });
}

function heal(authorization: string | undefined, length: number): string {
  return (
    'POST /heal HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\n' +
    (authorization ? `Authorization: ${authorization}\r\n` : '') +
    `Content-Length: ${length}\r\n\r\n{"version":`
  );
}

describe('web limits', () => {
  it.each([
    ['without a token', undefined, /^HTTP\/1\.1 401 Unauthorized\r\n/],
    ['with a token', `Bearer ${TOKEN}`, /^$/],
  ])(
    'cuts a client %s that stalls its body at body_timeout',
    async (_name, authorization, answer) => {
      const { port } = await start({ body_timeout: '500ms', request_timeout: '20s' });
      const connection = await open(port);
      connection.socket.write(heal(authorization, 100_000));
      const ms = await connection.closed;
      // The token is checked before the body is read: the 401 goes out at once.
      expect(connection.received()).toMatch(answer);
      expect(ms).toBeGreaterThanOrEqual(450);
      expect(ms).toBeLessThan(5_000);
    },
  );

  it('answers 408 to an authenticated client trickling its body past request_timeout', async () => {
    const { port } = await start({
      request_timeout: '1500ms',
      headers_timeout: '1s',
      body_timeout: '5s',
    });
    const connection = await open(port);
    connection.socket.write(heal(`Bearer ${TOKEN}`, 100_000));
    // A byte every 100 ms: never silent for body_timeout, never done either.
    const trickle = setInterval(() => connection.socket.write(' '), 100);
    const ms = await connection.closed.finally(() => clearInterval(trickle));
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(5_000);
  });

  it('answers 408 to a client trickling its headers past headers_timeout', async () => {
    const { port } = await start({ headers_timeout: '500ms', body_timeout: '5s' });
    const connection = await open(port);
    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: agent\r\n');
    const trickle = setInterval(() => connection.socket.write('X-Slow: 1\r\n'), 100);
    const ms = await connection.closed.finally(() => clearInterval(trickle));
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(5_000);
  });

  it('keeps an idle keep-alive connection for keep_alive_timeout, not body_timeout', async () => {
    const { port } = await start({ body_timeout: '300ms', keep_alive_timeout: '1500ms' });
    const connection = await open(port);
    const get = 'GET /healthz HTTP/1.1\r\nHost: agent\r\n\r\n';
    connection.socket.write(get);
    await new Promise((resolve) => setTimeout(resolve, 800));
    connection.socket.write(get);
    const ms = await connection.closed;
    expect(connection.received().match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(ms).toBeGreaterThanOrEqual(800 + 1_400);
    expect(ms).toBeLessThan(800 + 5_000);
  });

  it('closes connections beyond max_connections at once, and says so', async () => {
    const { port, lines } = await start({ max_connections: 3 });
    const held = await Promise.all([open(port), open(port), open(port)]);
    // A request on each, so the server has surely accepted all three.
    for (const connection of held)
      connection.socket.write('GET /healthz HTTP/1.1\r\nHost: agent\r\n\r\n');
    await expect.poll(() => held.every((c) => c.received().includes('200 OK'))).toBe(true);
    const extra = await open(port);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: agent\r\n\r\n');
    expect(await extra.closed).toBeLessThan(2_000);
    expect(extra.received()).toBe('');
    expect(lines.find((line) => line.event === 'http_connections_capped')).toMatchObject({
      level: 'warn',
      max_connections: 3,
      dropped: 1,
      msg: '1 connection(s) refused: web.max_connections (3) are open',
    });
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await expect
      .poll(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status)
      .toBe(200);
  });
});
