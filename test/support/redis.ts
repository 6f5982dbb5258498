// A real Redis for tests: Debian's redis-server on 127.0.0.1, no persistence, private dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freeLoopbackPort } from './ports.js';
import { type DaemonProcess, spawnDaemon, waitUntilReady } from './processes.js';

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:PORT`, for ioredis. */
  url: string;
  /** Shuts the server down and deletes its dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILLs the server, as in an outage: clients see their connections drop. */
  kill(): Promise<void>;
  /** Starts the server again, empty, on the same port; resolves once it answers PING. */
  restart(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-redis-'));
  const port = await freeLoopbackPort();
  const args = [
    ...['--bind', '127.0.0.1', '--port', String(port), '--dir', dir],
    ...['--save', '', '--appendonly', 'no', '--daemonize', 'no'],
  ];

  let server: DaemonProcess | undefined;
  let stopped = false;
  const launch = async (): Promise<void> => {
    const daemon = spawnDaemon('redis-server', args);
    server = daemon;
    await waitUntilReady(`redis-server on port ${port}`, () => answersPing(port), { daemon });
  };

  const redis: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    },
    async kill() {
      await server?.stop('SIGKILL');
    },
    async restart() {
      if (stopped) throw new Error('redis-server was stopped; start a new one');
      await server?.stop('SIGKILL');
      await launch();
    },
  };

  try {
    await launch();
  } catch (error) {
    await redis.stop();
    throw error;
  }
  return redis;
}

/** A raw RESP PING, so readiness checks do not depend on a client's reconnect logic. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const finish = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(1_000, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

/**
 * A client that lives through the server's kill() and restart(): one attempt per command
 * and a reconnect every 100 ms. Connection errors during an outage are expected; the
 * commands' rejections say enough.
 */
export function outageTolerantClient(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
  client.on('error', () => undefined);
  return client;
}
