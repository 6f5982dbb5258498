// docker_restart against a real Docker-API engine (podman): a labelled container that
// crashed runs again with a new start time; an unlabelled one is left alone. Both
// through the webhook and through the local loop fed by the real container collector.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ContainerCollector } from '../../../src/collect/container-collector.js';
import { type PodmanEngine, startPodmanEngine } from '../../support/podman.js';
import type { TestHealer } from '../../unit/heal/helpers.js';
import { notification, postHeal, startServiceHealer } from './helpers.js';

let engine: PodmanEngine;
let docker: Docker;

beforeAll(async () => {
  engine = await startPodmanEngine();
  docker = new Docker({ socketPath: engine.socketPath });
});
afterAll(() => engine?.stop());

async function state(name: string): Promise<{ status: string; startedAt: string }> {
  const inspected = await docker.getContainer(name).inspect();
  return { status: inspected.State.Status, startedAt: inspected.State.StartedAt };
}

async function killed(name: string, labelled: boolean): Promise<string> {
  await engine.run({
    name,
    labels: labelled ? { 'aegis.autoheal': 'true' } : {},
    cmd: ['sleep', '3600'],
  });
  const before = await state(name);
  await engine.crash(name);
  await vi.waitFor(async () => expect((await state(name)).status).toBe('exited'), {
    timeout: 10_000,
  });
  return before.startedAt;
}

describe('docker_restart on a real engine', () => {
  let h: TestHealer;
  beforeAll(async () => {
    h = await startServiceHealer({ docker_stop_timeout: 1 }, engine.dockerHost);
  });
  afterAll(() => h?.cleanup());

  it('restarts a crashed, opted-in container and leaves an unlabelled one alone', async () => {
    const webStarted = await killed('heal-web', true);
    await killed('heal-plain', false);
    // Start times have a resolution of the engine's clock; make sure a new one differs.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const response = await postHeal(
      h,
      notification([
        {
          labels: {
            alertname: 'AegisContainerExited',
            container: 'heal-web',
            severity: 'critical',
          },
        },
        {
          labels: {
            alertname: 'AegisContainerExited',
            container: 'heal-plain',
            severity: 'critical',
          },
        },
      ]),
    );
    expect(response.status).toBe(202);
    expect(response.body.decisions.map((d: { decision: string }) => d.decision)).toEqual([
      'queued',
      'queued',
    ]);

    await vi.waitFor(
      () =>
        expect(h.healer.status().recent.filter((e) => e.decision === 'succeeded')).toHaveLength(1),
      { timeout: 30_000, interval: 100 },
    );
    const web = await state('heal-web');
    expect(web.status).toBe('running');
    expect(web.startedAt).not.toBe(webStarted);
    await vi.waitFor(() =>
      expect(
        h.healer.status().recent.find((e) => e.target === 'docker_restart:heal-plain'),
      ).toMatchObject({
        decision: 'skipped',
        reason: 'not_allowed',
        error: `container heal-plain on ${engine.dockerHost} does not carry the opt-in label aegis.autoheal=true`,
      }),
    );
    expect((await state('heal-plain')).status).toBe('exited');
    expect(h.healer.status()).toMatchObject({
      attempts: 1,
      verified_successes: 1,
      success_rate: 1,
    });
    expect(await h.registry.getSingleMetricAsString('aegis_heal_actions_total')).toContain(
      'aegis_heal_actions_total{action="docker_restart",result="success"} 1',
    );
  });

  it('heals from the agent own signals: the local loop sees the exit in a real snapshot', async () => {
    const started = await killed('heal-local', true);
    await killed('heal-local-plain', false);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const collector = new ContainerCollector({ docker, concurrency: 2 });
    h.healer.observe(
      { timestamp_ms: Date.now(), containers: await collector.collect(), collectors: [] },
      [],
    );

    await vi.waitFor(
      () =>
        expect(
          h.healer
            .status()
            .recent.find(
              (e) => e.target === 'docker_restart:heal-local' && e.decision === 'succeeded',
            ),
        ).toMatchObject({
          source: 'local',
          alertname: 'AegisContainerExited',
          rule: 'restart-opted-in-containers',
        }),
      { timeout: 30_000, interval: 100 },
    );
    const local = await state('heal-local');
    expect(local.status).toBe('running');
    expect(local.startedAt).not.toBe(started);
    expect((await state('heal-local-plain')).status).toBe('exited');
    expect(h.healer.status()).toMatchObject({ attempts: 2, verified_successes: 2 });

    // The next round sees it running: the local alert resolves.
    h.healer.observe(
      { timestamp_ms: Date.now(), containers: await collector.collect(), collectors: [] },
      [],
    );
    await vi.waitFor(() =>
      expect(h.healer.status().recent.at(-1)).toMatchObject({
        decision: 'skipped',
        reason: 'resolved',
        source: 'local',
      }),
    );
  });

  it('does not count a container that dies right after its restart as healed', async () => {
    // Runs half a second, then exits 1: up long enough to be seen "running" at once.
    await engine.run({
      name: 'heal-crashy',
      labels: { 'aegis.autoheal': 'true' },
      cmd: ['sh', '-c', 'sleep 0.5; exit 1'],
    });
    await vi.waitFor(async () => expect((await state('heal-crashy')).status).toBe('exited'), {
      timeout: 10_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const short = await startServiceHealer(
      { docker_stop_timeout: 1, verify_timeout: 3, default_max_attempts: 1 },
      engine.dockerHost,
    );
    try {
      const response = await postHeal(
        short,
        notification([
          {
            labels: {
              alertname: 'AegisContainerExited',
              container: 'heal-crashy',
              severity: 'critical',
            },
          },
        ]),
      );
      expect(response.status).toBe(202);
      await vi.waitFor(
        () =>
          expect(
            short.healer
              .status()
              .recent.find((e) => e.decision === 'failed' || e.decision === 'succeeded'),
          ).toMatchObject({ decision: 'failed', action: 'docker_restart' }),
        { timeout: 20_000, interval: 100 },
      );
      expect(short.healer.status()).toMatchObject({
        attempts: 1,
        verified_successes: 0,
        success_rate: 0,
      });
    } finally {
      await short.cleanup();
    }
  });
});
