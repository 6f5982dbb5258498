import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDockerClient,
  DEFAULT_DOCKER_HOST,
  dockerOptions,
  dockerSocketMissing,
  resolveDockerHost,
} from '../../../src/docker/docker-client.js';
import { ContainerCollector } from '../../../src/collect/container-collector.js';

describe('resolveDockerHost', () => {
  it('prefers the configured host, then DOCKER_HOST, then the default socket', () => {
    expect(resolveDockerHost('tcp://a:2375', { DOCKER_HOST: 'unix:///b.sock' })).toBe(
      'tcp://a:2375',
    );
    expect(resolveDockerHost(undefined, { DOCKER_HOST: 'unix:///b.sock' })).toBe('unix:///b.sock');
    expect(resolveDockerHost(undefined, {})).toBe(DEFAULT_DOCKER_HOST);
  });
});

describe('dockerOptions', () => {
  it.each([
    ['unix:///var/run/docker.sock', { socketPath: '/var/run/docker.sock', timeout: 5000 }],
    ['/run/podman/podman.sock', { socketPath: '/run/podman/podman.sock', timeout: 5000 }],
    ['tcp://10.0.0.2:2375', { protocol: 'http', host: '10.0.0.2', port: 2375, timeout: 5000 }],
    ['tcp://docker-host', { protocol: 'http', host: 'docker-host', port: 2375, timeout: 5000 }],
    [
      'https://docker-host:2376',
      { protocol: 'https', host: 'docker-host', port: 2376, timeout: 5000 },
    ],
  ])('reads %s', (host, options) => {
    expect(dockerOptions(host, 5000)).toEqual(options);
  });
});

describe('dockerSocketMissing', () => {
  it('is true only for a unix socket path where nothing exists', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'aegis-docker-'));
    const socket = join(folder, 'docker.sock');
    try {
      expect(dockerSocketMissing(`unix://${socket}`)).toBe(true);
      expect(dockerSocketMissing(socket)).toBe(true);
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(socket, resolve));
      expect(dockerSocketMissing(`unix://${socket}`)).toBe(false);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      expect(dockerSocketMissing('tcp://127.0.0.1:2375')).toBe(false);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('ContainerCollector without an engine', () => {
  it('reports the engine down, asking the builder again every round', async () => {
    let asked = 0;
    const collector = new ContainerCollector({
      docker: () => {
        asked += 1;
        return undefined;
      },
      concurrency: 1,
    });
    expect(await collector.collect()).toEqual({ engine_up: false, containers: [] });
    expect(await collector.collect()).toEqual({ engine_up: false, containers: [] });
    expect(asked).toBe(2);
  });
});

describe('createDockerClient', () => {
  it('loads dockerode with the first client, not when imported', async () => {
    const cache = createRequire(import.meta.url).cache;
    const loaded = () =>
      Object.keys(cache).some((path) => path.includes('/node_modules/dockerode/'));
    expect(loaded()).toBe(false);
    const client = await createDockerClient('unix:///nowhere/docker.sock', 1000);
    expect(typeof client.listContainers).toBe('function');
    expect(loaded()).toBe(true);
  });
});
