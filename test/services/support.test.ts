// Proves the provisioning helpers every services test stands on, against the real peers.
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import Docker from 'dockerode';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type PodmanEngine, startPodmanEngine } from '../support/podman.js';
import { outageTolerantClient, type RedisServer, startRedis } from '../support/redis.js';

async function commandLinesMentioning(text: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const cmdlines = await Promise.all(
    pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')),
  );
  return cmdlines.filter((cmdline) => cmdline.includes(text));
}

describe('podman engine', () => {
  let engine: PodmanEngine;
  beforeAll(async () => {
    engine = await startPodmanEngine();
  });
  afterAll(() => engine?.stop());

  it('serves the Docker API: a labelled container is listed, killed and seen exited', async () => {
    const docker = new Docker({ socketPath: engine.socketPath });
    const id = await engine.run({
      name: 'support-web',
      labels: { 'aegis.autoheal': 'true' },
      cmd: ['sleep', '600'],
    });
    await engine.run({ name: 'support-unlabelled', cmd: ['sleep', '600'] });

    const listed = await docker.listContainers({
      all: true,
      filters: { label: ['aegis.autoheal=true'] },
    });
    expect(listed.map((c) => ({ id: c.Id, names: c.Names, state: c.State }))).toEqual([
      { id, names: ['/support-web'], state: 'running' },
    ]);

    await docker.getContainer(id).kill();
    const inspected = await docker.getContainer(id).inspect();
    expect(inspected.State.Status).toBe('exited');
  });

  it('stops completely: socket, storage and processes are gone, and a second stop is harmless', async () => {
    await engine.stop();
    expect(existsSync(engine.socketPath)).toBe(false);
    expect(existsSync(engine.dir)).toBe(false);
    expect(await commandLinesMentioning(`${engine.dir}/`)).toEqual([]);
    await engine.stop();
  });
});

describe('redis server', () => {
  let redis: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    client = outageTolerantClient(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('serves, fails when killed, and serves again (empty) on the same port after restart', async () => {
    await client.set('aegis:probe', 'up');
    expect(await client.get('aegis:probe')).toBe('up');

    await redis.kill();
    await expect(client.get('aegis:probe')).rejects.toThrow();

    await redis.restart();
    await vi.waitFor(() => client.ping(), { timeout: 10_000, interval: 100 });
    expect(await client.get('aegis:probe')).toBeNull();
    await client.set('aegis:probe', 'back');
    expect(await client.get('aegis:probe')).toBe('back');
  });
});
