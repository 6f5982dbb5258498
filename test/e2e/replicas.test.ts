// Scenario 3: two agents share Redis and both receive every notification (Alertmanager
// delivers to each one's /heal): a killed container is restarted exactly once.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PodmanEngine, startPodmanEngine } from '../support/podman.js';
import { type RedisServer, startRedis } from '../support/redis.js';
import type { AgentProcess } from './support/agent.js';
import { watchAlerts } from './support/alert-watch.js';
import { containerState, runWebContainer } from './support/containers.js';
import { eventually } from './support/eventually.js';
import { sampleValue } from '../support/exposition.js';
import { type Stack, startStack } from './support/stack.js';

const NAME = 'shared-web';

let engine: PodmanEngine | undefined;
let redis: RedisServer | undefined;
let stack: Stack | undefined;
let wwwDir: string | undefined;

beforeAll(async () => {
  engine = await startPodmanEngine();
  redis = await startRedis();
  wwwDir = await mkdtemp(join(tmpdir(), 'aegis-www-'));
  await writeFile(join(wwwDir, 'index.html'), 'ok\n');
  const port = await runWebContainer(engine, NAME, wwwDir);
  const dockerHost = engine.dockerHost;
  const redisUrl = redis.url;
  const replica = () => ({
    monitoring: {
      api_endpoints: [{ url: `http://127.0.0.1:${port}/`, name: NAME, timeout: 0.5 }],
      docker_host: dockerHost,
    },
    recovery: {
      redis_url: redisUrl,
      enable_local_alerts: false,
    },
  });
  // Prometheus scrapes one of them, so there is one alert per episode; both heal.
  stack = await startStack({ agents: [replica, replica], scraped: [0] });
});

afterAll(async () => {
  await stack?.stop();
  await redis?.stop();
  await engine?.stop();
  if (wwwDir) await rm(wwwDir, { recursive: true, force: true });
});

const live = (): Stack => stack as Stack;

async function counter(agent: AgentProcess, name: string, labels: Record<string, string>) {
  return sampleValue(await agent.metrics(), name, labels) ?? 0;
}

describe('two agents sharing Redis', () => {
  it('both receive the notification, exactly one restarts the container', async () => {
    await eventually('Prometheus sees the container served', async () =>
      (await live().prometheus.query(`aegis_probe_success{target="${NAME}"} == 1`)).length === 1
        ? true
        : undefined,
    );
    const before = await containerState(engine as PodmanEngine, NAME);
    const watch = watchAlerts(live(), (labels) => labels.container === NAME);
    try {
      await (engine as PodmanEngine).crash(NAME);
      await eventually(
        'the container runs again',
        async () => {
          const state = await containerState(engine as PodmanEngine, NAME);
          return state.Running && state.StartedAt !== before.StartedAt ? state : undefined;
        },
        { timeoutMs: 60_000 },
      );
      // Both replicas get the firing notification, and later the resolved one.
      for (const agent of live().agents) {
        await eventually('each replica receives firing and resolved notifications', async () =>
          (await counter(agent, 'aegis_heal_notifications_total', { status: 'firing' })) >= 1 &&
          (await counter(agent, 'aegis_heal_notifications_total', { status: 'resolved' })) >= 1
            ? true
            : undefined,
        );
      }
      expect(watch.sightings.routed.get('AegisContainerExited')).toEqual(['aegis-heal', 'humans']);
      const fingerprint = watch.sightings.fingerprints.get('AegisContainerExited');

      // Exactly one restart between them, and the other replica says why it did nothing.
      const restarts = await Promise.all(
        live().agents.map((agent) =>
          counter(agent, 'aegis_heal_actions_total', {
            action: 'docker_restart',
            result: 'success',
          }),
        ),
      );
      expect(restarts.reduce((sum, value) => sum + value, 0)).toBe(1);
      const acted = (await Promise.all(live().agents.map((agent) => agent.audit()))).map(
        (entries) =>
          entries
            .filter((entry) => entry.fingerprint === fingerprint && entry.decision !== 'skipped')
            .map((entry) => entry.decision),
      );
      // One replica did all the work (a retry, if any, included); the other only skipped.
      expect(acted.filter((decisions) => decisions.length > 0)).toHaveLength(1);
      expect(acted.flat().filter((decision) => decision === 'succeeded')).toHaveLength(1);
      const idle = live().agents[acted[0]?.length ? 1 : 0] as AgentProcess;
      expect(
        (await idle.audit())
          .filter((entry) => entry.fingerprint === fingerprint)
          .map((entry) => entry.decision),
      ).toContain('skipped');
      // And the engine saw one start.
      const after = await containerState(engine as PodmanEngine, NAME);
      expect(after.Running).toBe(true);
    } finally {
      await watch.stop();
    }
  });
});
