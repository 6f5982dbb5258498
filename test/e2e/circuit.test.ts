// Scenario 4: a container that dies again after every restart. The healer's attempts fail,
// its circuit for the container opens, AegisHealingCircuitOpen reaches the human
// receiver, and the agent stops restarting it. Nothing heals here, so the endpoint stays
// down long enough for AegisEndpointDown to fire and reach the healer too.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PodmanEngine, startPodmanEngine } from '../support/podman.js';
import { freeLoopbackPort } from '../support/ports.js';
import type { AgentProcess } from './support/agent.js';
import { watchAlerts } from './support/alert-watch.js';
import { containerState } from './support/containers.js';
import { eventually } from './support/eventually.js';
import { sampleValue } from '../support/exposition.js';
import { type Stack, startStack } from './support/stack.js';

const NAME = 'crashy';

let engine: PodmanEngine | undefined;
let stack: Stack | undefined;
let dataDir: string | undefined;

beforeAll(async () => {
  engine = await startPodmanEngine();
  dataDir = await mkdtemp(join(tmpdir(), 'aegis-crashy-'));
  await writeFile(join(dataDir, 'index.html'), 'ok\n');
  const port = await freeLoopbackPort();
  // Serves until /data/broken exists; from then on every start exits at once.
  await engine.run({
    name: NAME,
    labels: { 'aegis.autoheal': 'true' },
    cmd: [
      'sh',
      '-c',
      `test -e /data/broken && exit 1; exec httpd -f -p 127.0.0.1:${port} -h /data`,
    ],
    volumes: [`${dataDir}:/data`],
  });
  const dockerHost = engine.dockerHost;
  stack = await startStack({
    agents: [
      () => ({
        monitoring: {
          api_endpoints: [{ url: `http://127.0.0.1:${port}/`, name: NAME, timeout: 0.5 }],
          docker_host: dockerHost,
        },
        recovery: {
          enable_local_alerts: false,
          // The healer's own intervals, shortened like Prometheus' for the test.
          backoff_initial: 1,
          backoff_max: 2,
          verify_timeout: 2,
        },
      }),
    ],
  });
});

afterAll(async () => {
  await stack?.stop();
  await engine?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const live = (): Stack => stack as Stack;
const agent = (): AgentProcess => live().agents[0] as AgentProcess;

async function restartAttempts(): Promise<number> {
  const samples = await agent().metrics();
  return samples
    .filter(
      (sample) =>
        sample.name === 'aegis_heal_actions_total' && sample.labels.action === 'docker_restart',
    )
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('a container that keeps dying', () => {
  it('opens the circuit, pages a human, and is left alone', async () => {
    await eventually('Prometheus sees the container served', async () =>
      (await live().prometheus.query(`aegis_probe_success{target="${NAME}"} == 1`)).length === 1
        ? true
        : undefined,
    );
    const watch = watchAlerts(
      live(),
      (labels) =>
        labels.container === NAME ||
        labels.target === NAME ||
        (labels.target ?? '').endsWith(`:${NAME}`),
    );
    try {
      await writeFile(join(dataDir as string, 'broken'), '');
      await (engine as PodmanEngine).crash(NAME);

      const circuit = await eventually(
        'the circuit for the container opens',
        async () =>
          (await agent().metrics()).find(
            (sample) =>
              sample.name === 'aegis_heal_circuit_open' &&
              sample.value === 1 &&
              (sample.labels.target ?? '').includes(NAME),
          ),
        { timeoutMs: 90_000, intervalMs: 200 },
      );
      const page = await eventually(
        'AegisHealingCircuitOpen reaches the human receiver',
        async () =>
          live().humans.deliveries.find(
            (delivery) =>
              delivery.status === 'firing' &&
              delivery.alerts.some(
                (alert) =>
                  alert.labels.alertname === 'AegisHealingCircuitOpen' &&
                  alert.labels.target === circuit.labels.target,
              ),
          ),
        { timeoutMs: 30_000 },
      );
      expect(page.receiver).toBe('humans');
      expect(watch.sightings.routed.get('AegisHealingCircuitOpen')).toEqual(['humans']);

      // Every attempt failed, and after the circuit opened none is made.
      const attempts = await restartAttempts();
      expect(
        sampleValue(await agent().metrics(), 'aegis_heal_actions_total', {
          action: 'docker_restart',
          result: 'success',
        }) ?? 0,
      ).toBe(0);
      const stateAtOpen = await containerState(engine as PodmanEngine, NAME);
      await sleep(5_000);
      expect(await restartAttempts()).toBe(attempts);
      const stateLater = await containerState(engine as PodmanEngine, NAME);
      expect(stateLater.Running).toBe(false);
      expect(stateLater.StartedAt).toBe(stateAtOpen.StartedAt);

      // The outage was visible all along: both symptoms fired and went to the healer, and
      // to people too.
      expect(watch.sightings.firing).toContain('AegisContainerExited');
      expect(watch.sightings.firing).toContain('AegisEndpointDown');
      expect(watch.sightings.routed.get('AegisContainerExited')).toEqual(['aegis-heal', 'humans']);
      expect(watch.sightings.routed.get('AegisEndpointDown')).toEqual(['aegis-heal', 'humans']);
    } finally {
      await watch.stop();
    }
  });
});
