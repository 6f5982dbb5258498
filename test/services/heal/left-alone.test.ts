// Containers people want left alone, on a real Docker-API engine (podman): one a person
// stopped (`podman stop`, the API's stop as `docker stop` sends it, `podman kill`) and one carrying the opt-out label are skipped
// with their reason; one that crashed (its process SIGKILLed from the host, as the kernel's
// OOM killer would) is restarted. Through the local loop fed by the real collector, as
// issue 10 found it: the stopped container was restarted about 10 s after the stop.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ContainerCollector } from '../../../src/collect/container-collector.js';
import { type PodmanEngine, startPodmanEngine } from '../../support/podman.js';
import type { TestHealer } from '../../unit/heal/helpers.js';
import { startServiceHealer } from './helpers.js';

let engine: PodmanEngine;
let docker: Docker;
let h: TestHealer;

beforeAll(async () => {
  engine = await startPodmanEngine();
  docker = new Docker({ socketPath: engine.socketPath });
  h = await startServiceHealer({ docker_stop_timeout: 1 }, engine.dockerHost);
});
afterAll(async () => {
  await h?.cleanup();
  await engine?.stop();
});

const ALL = ['ops-stopped', 'ops-api-stopped', 'ops-killed', 'ops-crashed', 'ops-opted-out'];

async function inspectState(name: string): Promise<{ status: string; startedAt: string }> {
  const { State } = await docker.getContainer(name).inspect();
  return { status: State.Status, startedAt: State.StartedAt };
}

describe('containers people want left alone', () => {
  it('restarts the crashed one only; the stopped, killed and opted-out ones stay down', async () => {
    const optIn = { 'aegis.autoheal': 'true' };
    await engine.run({ name: 'ops-stopped', labels: optIn, cmd: ['sleep', '3600'] });
    await engine.run({ name: 'ops-api-stopped', labels: optIn, cmd: ['sleep', '3600'] });
    await engine.run({ name: 'ops-killed', labels: optIn, cmd: ['sleep', '3600'] });
    await engine.run({ name: 'ops-crashed', labels: optIn, cmd: ['sleep', '3600'] });
    await engine.run({
      name: 'ops-opted-out',
      labels: { 'aegis.autoheal': 'false' },
      cmd: ['sh', '-c', 'sleep 0.5; exit 1'],
    });
    const crashedStart = (await inspectState('ops-crashed')).startedAt;

    await engine.podman(['stop', '--time', '1', 'ops-stopped']);
    // As `docker stop` does: through the API.
    await docker.getContainer('ops-api-stopped').stop({ t: 1 });
    await engine.podman(['kill', 'ops-killed']);
    await engine.crash('ops-crashed');
    for (const name of ALL) {
      await vi.waitFor(async () => expect((await inspectState(name)).status).toBe('exited'), {
        timeout: 10_000,
      });
    }
    // Start times have the engine clock's resolution; make sure a new one differs.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const collector = new ContainerCollector({ docker, concurrency: 2 });
    h.healer.observe(
      { timestamp_ms: Date.now(), containers: await collector.collect(), collectors: [] },
      [],
    );
    const decisionOn = (name: string) =>
      h.healer
        .status()
        .recent.find(
          (e) =>
            e.target === `docker_restart:${name}` &&
            ['succeeded', 'failed', 'skipped'].includes(e.decision),
        );
    await vi.waitFor(
      () => {
        for (const name of ALL) expect(decisionOn(name)).toBeDefined();
      },
      { timeout: 60_000, interval: 200 },
    );

    expect(decisionOn('ops-crashed')).toMatchObject({
      decision: 'succeeded',
      source: 'local',
      alertname: 'AegisContainerExited',
    });
    expect((await inspectState('ops-crashed')).status).toBe('running');
    expect((await inspectState('ops-crashed')).startedAt).not.toBe(crashedStart);

    expect(decisionOn('ops-stopped')).toMatchObject({
      decision: 'skipped',
      reason: 'stopped_by_user',
    });
    expect(decisionOn('ops-stopped')?.error).toMatch(
      new RegExp(
        `^container ops-stopped on ${engine.dockerHost} was stopped by a person \\(the engine (logged a stop request at .*|cleaned it up \\d times \\(podman stop\\))\\): left alone$`,
      ),
    );
    expect(decisionOn('ops-api-stopped')).toMatchObject({
      decision: 'skipped',
      reason: 'stopped_by_user',
    });
    expect(decisionOn('ops-killed')).toMatchObject({
      decision: 'skipped',
      reason: 'stopped_by_user',
    });
    expect(decisionOn('ops-killed')?.error).toMatch(/the engine logged a kill request at /);
    expect(decisionOn('ops-opted-out')).toMatchObject({
      decision: 'skipped',
      reason: 'opted_out',
      error: `container ops-opted-out on ${engine.dockerHost} carries the opt-out label aegis.autoheal=false`,
    });
    for (const name of ['ops-stopped', 'ops-api-stopped', 'ops-killed', 'ops-opted-out'])
      expect((await inspectState(name)).status).toBe('exited');
    expect(h.healer.status()).toMatchObject({ attempts: 1, verified_successes: 1 });
    const skips = await h.registry.getSingleMetricAsString('aegis_heal_skips_total');
    expect(skips).toContain('aegis_heal_skips_total{reason="stopped_by_user"} 3');
    expect(skips).toContain('aegis_heal_skips_total{reason="opted_out"} 1');
  });
});
