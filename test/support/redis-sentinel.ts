// A Redis that fails over, for tests and bench:fleet: Debian's redis-server as a master
// and a replica, and three redis-sentinel processes watching them, all on 127.0.0.1 with
// private dirs. Persistence as the shipped compose runs it (append-only file).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freeLoopbackPorts } from './ports.js';
import { type DaemonProcess, spawnDaemon, waitUntilReady } from './processes.js';

/** The name the sentinels know the master by. */
export const SENTINEL_MASTER_NAME = 'aegis';

export interface SentinelRedis {
  /** The sentinels' addresses, `127.0.0.1:PORT`. */
  sentinels: string[];
  masterName: string;
  /** The data servers' ports: [first master, first replica]. */
  ports: number[];
  /** The port of the server the sentinels call master now. */
  masterPort(): Promise<number>;
  /** SIGKILLs the current master; resolves with its port. */
  killMaster(): Promise<number>;
  /** Resolves once the sentinels name a master other than `port` and it accepts writes. */
  waitForFailover(port: number, timeoutMs?: number): Promise<number>;
  /** Starts a killed server again (it rejoins as a replica); resolves once it answers. */
  restart(port: number): Promise<void>;
  /** A client of the data server on `port`, for inspection (INFO, keys). */
  client(port: number): Redis;
  stop(): Promise<void>;
}

export async function startSentinelRedis(): Promise<SentinelRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-sentinel-'));
  const servers = new Map<number, DaemonProcess>();
  const sentinels: DaemonProcess[] = [];
  const clients: Redis[] = [];
  const [masterPort, replicaPort, ...sentinelPorts] = (await freeLoopbackPorts(5)) as [
    number,
    number,
    ...number[],
  ];

  const launch = async (port: number, replicaOf?: number): Promise<void> => {
    const data = join(dir, String(port));
    await rm(data, { recursive: true, force: true }).catch(() => undefined);
    const args = [
      ...['--bind', '127.0.0.1', '--port', String(port), '--dir', dir],
      ...['--dbfilename', `dump-${port}.rdb`, '--appendfilename', `appendonly-${port}.aof`],
      ...['--appenddirname', `aof-${port}`, '--save', '', '--appendonly', 'yes'],
      ...['--appendfsync', 'everysec', '--daemonize', 'no'],
      // A replica's first sync starts at once, not after the default 5 s wait for others.
      ...['--repl-diskless-sync-delay', '0'],
      ...(replicaOf === undefined ? [] : ['--replicaof', '127.0.0.1', String(replicaOf)]),
    ];
    const daemon = spawnDaemon('redis-server', args);
    servers.set(port, daemon);
    await waitUntilReady(`redis-server on port ${port}`, () => answers(port, daemon), { daemon });
  };

  const sentinelClient = (): Redis => {
    const client = new Redis({ port: sentinelPorts[0], host: '127.0.0.1', lazyConnect: false });
    client.on('error', () => undefined);
    clients.push(client);
    return client;
  };

  const redis: SentinelRedis = {
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`),
    masterName: SENTINEL_MASTER_NAME,
    ports: [masterPort, replicaPort],
    async masterPort() {
      for (const port of sentinelPorts) {
        const client = new Redis({ port, host: '127.0.0.1', retryStrategy: () => null });
        client.on('error', () => undefined);
        try {
          const reply = (await client.call(
            'SENTINEL',
            'get-master-addr-by-name',
            SENTINEL_MASTER_NAME,
          )) as [string, string] | null;
          if (reply) return Number(reply[1]);
        } catch {
          // That sentinel is down: ask the next.
        } finally {
          client.disconnect();
        }
      }
      throw new Error('no sentinel names a master');
    },
    async killMaster() {
      const port = await redis.masterPort();
      await servers.get(port)?.stop('SIGKILL');
      return port;
    },
    async waitForFailover(oldPort, timeoutMs = 30_000) {
      let promoted = 0;
      await waitUntilReady(
        `a sentinel failover away from port ${oldPort}`,
        async () => {
          const port = await redis.masterPort().catch(() => oldPort);
          if (port === oldPort) return false;
          promoted = port;
          return isWritableMaster(port);
        },
        { timeoutMs, intervalMs: 100 },
      );
      return promoted;
    },
    async restart(port) {
      const master = await redis.masterPort();
      await launch(port, master === port ? undefined : master);
    },
    client(port) {
      const client = new Redis({ port, host: '127.0.0.1' });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      await Promise.all(sentinels.map((sentinel) => sentinel.stop('SIGKILL')));
      await Promise.all([...servers.values()].map((server) => server.stop('SIGKILL')));
      await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    await launch(masterPort);
    await launch(replicaPort, masterPort);
    for (const port of sentinelPorts) {
      const file = join(dir, `sentinel-${port}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
          // A split vote is retried after twice this: at 10 s, one failover in about 70
          // runs of the failover test took 22 s. 4 s is ample for a failover on loopback.
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 4000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      const daemon = spawnDaemon('redis-sentinel', [file]);
      sentinels.push(daemon);
      await waitUntilReady(`redis-sentinel on port ${port}`, () => answers(port, daemon), {
        daemon,
      });
    }
    // Ready once the replica holds the master's data and every sentinel knows the replica
    // and its peers: a failover needs all three.
    const replica = redis.client(replicaPort);
    await waitUntilReady(
      `the replica on port ${replicaPort} to sync`,
      async () => {
        const info = await replica.info('replication').catch(() => '');
        return info.includes('master_link_status:up');
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const probe = sentinelClient();
    await waitUntilReady(
      'the sentinels to discover the replica and each other',
      async () => {
        const master = (await probe.call('SENTINEL', 'master', SENTINEL_MASTER_NAME)) as string[];
        const field = (name: string) => Number(master[master.indexOf(name) + 1]);
        return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  } catch (error) {
    await redis.stop();
    throw error;
  }
  return redis;
}

async function isWritableMaster(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    const info = await client.info('replication');
    return info.includes('role:master');
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Whether `daemon` itself answers on `port` (INFO's process_id): another server that
 * holds the port is not it, and the daemon exits, unable to bind.
 */
async function answers(port: number, daemon: DaemonProcess): Promise<boolean> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  client.on('error', () => undefined);
  try {
    const info = await client.info('server');
    return info.includes(`process_id:${daemon.pid}\r\n`);
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
