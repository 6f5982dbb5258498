// What the real engine cannot show: a Docker API that accepts a restart and never
// answers. A hand-written fake on a unix socket stands in for it.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadDockerode } from '../../../../src/docker/docker-client.js';
import { notification, startTestHealer } from '../helpers.js';

let dir: string;
let server: Server;
let socketPath: string;
const hanging: import('node:http').ServerResponse[] = [];

beforeAll(async () => {
  // The first docker_restart loads dockerode inside its timeout (a quarter of a second,
  // more on a loaded machine): loaded here, so that the 0.3 s below times the hung restart.
  await loadDockerode();
  dir = await mkdtemp(join(tmpdir(), 'aegis-fake-docker-'));
  socketPath = join(dir, 'docker.sock');
  server = createServer((req, res) => {
    // No stop or kill request in the engine's log: the container died on its own.
    if (req.method === 'GET' && req.url?.includes('/events')) {
      res.end();
      return;
    }
    if (req.method === 'GET' && req.url?.endsWith('/json')) {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          Id: 'abc',
          Config: { Labels: { 'aegis.autoheal': 'true' } },
          State: {
            Status: 'exited',
            Running: false,
            OOMKilled: false,
            StartedAt: '2025-01-01T00:00:00Z',
            FinishedAt: '2025-01-01T00:01:00Z',
          },
        }),
      );
      return;
    }
    hanging.push(res); // the restart never answers
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('docker_restart against a hung Docker API', () => {
  it('gives up at the timeout, counts a timeout, and frees the target', async () => {
    const t = await startTestHealer(
      {
        auth_disabled: true,
        action_timeout: 0.3,
        docker_endpoints: { 'node1:8737': `unix://${socketPath}` },
      },
      undefined,
    );
    try {
      const response = await request(t.app)
        .post('/heal')
        .send(
          notification([
            {
              labels: {
                alertname: 'AegisContainerExited',
                container: 'web',
                instance: 'node1:8737',
              },
            },
          ]),
        );
      expect(response.status).toBe(202);
      const failed = () => t.healer.status().recent.find((entry) => entry.decision === 'failed');
      await vi.waitFor(() => expect(failed()).toBeDefined());
      expect(failed()).toMatchObject({
        action: 'docker_restart',
        target: 'docker_restart:node1:8737/web',
        reason: 'timeout',
        error: 'docker_restart on docker_restart:node1:8737/web did not finish within 0.3s',
      });
      expect(hanging.length).toBe(1);
      // A retry is due after the kubelet-style backoff, not at once.
      await vi.waitFor(() =>
        expect(t.healer.status().recent.at(-1)).toMatchObject({
          decision: 'deferred',
          reason: 'backoff',
          attempt: 2,
        }),
      );
      expect(t.healer.status().in_flight).toBe(0);
    } finally {
      await t.cleanup();
    }
  });
});
