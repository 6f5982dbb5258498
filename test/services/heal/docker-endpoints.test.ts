// One healer, two Docker hosts: `recovery.docker_endpoints` sends each alert's restart to
// the engine its `instance` names, two real podman API sockets here, and only there; and
// a third name reaches engine b over TLS with a client certificate (`recovery.docker_tls`).
import { readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { throwawayCertificate } from '../../integration/support/certificate.js';
import { type DockerTlsProxy, startDockerTlsProxy } from '../../support/docker-tls-proxy.js';
import { type PodmanEngine, startPodmanEngine } from '../../support/podman.js';
import type { TestHealer } from '../../unit/heal/helpers.js';
import { notification, postHeal, startServiceHealer } from './helpers.js';

const NAME = 'fleet-web';
const engines: Record<'a' | 'b', PodmanEngine | undefined> = { a: undefined, b: undefined };
let h: TestHealer;
let proxy: DockerTlsProxy | undefined;

const engine = (host: 'a' | 'b'): PodmanEngine => engines[host] as PodmanEngine;

async function state(host: 'a' | 'b'): Promise<{ status: string; startedAt: string }> {
  const docker = new Docker({ socketPath: engine(host).socketPath });
  const inspected = await docker.getContainer(NAME).inspect();
  return { status: inspected.State.Status, startedAt: inspected.State.StartedAt };
}

/**
 * The same container on both engines: it exits by itself a second after its first start,
 * and runs on once restarted (its filesystem keeps the mark).
 */
async function crashed(host: 'a' | 'b'): Promise<string> {
  await engine(host).run({
    name: NAME,
    labels: { 'aegis.autoheal': 'true' },
    cmd: [
      'sh',
      '-c',
      'if [ -f /crashed ]; then exec sleep 3600; fi; touch /crashed; sleep 1; exit 3',
    ],
  });
  await vi.waitFor(async () => expect((await state(host)).status).toBe('exited'), {
    timeout: 10_000,
  });
  return (await state(host)).startedAt;
}

beforeAll(async () => {
  engines.a = await startPodmanEngine();
  engines.b = await startPodmanEngine();
  const server = await throwawayCertificate();
  const client = await throwawayCertificate();
  proxy = await startDockerTlsProxy({
    socketPath: engine('b').socketPath,
    cert: await readFile(server.certFile),
    key: await readFile(server.keyFile),
    clientCa: await readFile(client.certFile),
  });
  // The default host is a socket that does not exist: an alert routed there fails.
  h = await startServiceHealer({
    docker_stop_timeout: 1,
    docker_endpoints: {
      'node-a:8737': engine('a').dockerHost,
      'node-b:8737': engine('b').dockerHost,
      'node-b-tls:8737': proxy.host,
    },
    docker_tls: { ca_file: server.certFile, cert_file: client.certFile, key_file: client.keyFile },
  });
});
afterAll(async () => {
  await h?.cleanup();
  await proxy?.stop();
  await engines.a?.stop();
  await engines.b?.stop();
});

function exited(instance: string): object {
  return notification([
    {
      labels: {
        alertname: 'AegisContainerExited',
        container: NAME,
        instance,
        severity: 'critical',
      },
    },
  ]);
}

/** Sends the container's exit for `instance` and waits for its restart to succeed. */
async function restartedThrough(instance: string): Promise<void> {
  expect((await postHeal(h, exited(instance))).status).toBe(202);
  await vi.waitFor(
    () =>
      expect(h.healer.status().recent.at(-1)).toMatchObject({
        decision: 'succeeded',
        target: `docker_restart:${instance}/${NAME}`,
      }),
    { timeout: 30_000 },
  );
}

describe('docker_restart on the engine of the alert’s instance', () => {
  it('restarts the container on node-a only, then on node-b only', async () => {
    const startedA = await crashed('a');
    const startedB = await crashed('b');
    // Start times have the engine clock's resolution: make sure a new one differs.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    await restartedThrough('node-a:8737');
    expect((await state('a')).startedAt).not.toBe(startedA);
    expect(await state('b')).toEqual({ status: 'exited', startedAt: startedB });

    await restartedThrough('node-b:8737');
    expect((await state('b')).startedAt).not.toBe(startedB);
  }, 90_000);

  it('reaches an engine over TLS with the client certificate of recovery.docker_tls', async () => {
    await engine('b').podman(['rm', '-f', NAME]);
    const started = await crashed('b');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await restartedThrough('node-b-tls:8737');
    expect((await state('b')).startedAt).not.toBe(started);
    // Every call went through the TLS front, from a client it trusts.
    expect(proxy?.forwarded()).toBeGreaterThanOrEqual(2);
  }, 90_000);

  it('sends an instance with no endpoint to the default host, and nowhere else', async () => {
    const before = { a: await state('a'), b: await state('b') };
    expect((await postHeal(h, exited('node-c:8737'))).status).toBe(202);
    await vi.waitFor(
      () =>
        expect(
          h.healer
            .status()
            .recent.find(
              (entry) => entry.decision === 'failed' && entry.target === `docker_restart:${NAME}`,
            ),
        ).toBeDefined(),
      { timeout: 30_000 },
    );
    expect({ a: await state('a'), b: await state('b') }).toEqual(before);
  }, 60_000);
});
