/**
 * The container collector against a real Docker-API engine (podman): metrics follow a
 * labelled container through start, health, stop and removal, and an engine that
 * goes away turns into engine_up 0, not a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AegisSentinel } from '../../../src/index.js';
import { silentLogger } from '../../../src/logger.js';
import { sample, scrapeUntil as scrapeExpositionUntil } from '../../support/exposition.js';
import { startPodmanEngine, type PodmanEngine } from '../../support/podman.js';

let engine: PodmanEngine;
let sentinel: AegisSentinel;
let base: string;

beforeAll(async () => {
  engine = await startPodmanEngine();
  sentinel = new AegisSentinel(
    {
      web: { listen_address: '127.0.0.1:0' },
      monitoring: {
        collection_interval: 0.3,
        docker_host: engine.dockerHost,
        enable_host_monitoring: false,
      },
    },
    { logger: silentLogger() },
  );
  await sentinel.start();
  base = `http://127.0.0.1:${sentinel.address()!.port}`;
});

afterAll(async () => {
  await sentinel?.stop();
  await engine?.stop();
});

function scrapeUntil(accept: (exposition: string) => boolean): Promise<string> {
  return scrapeExpositionUntil(`${base}/metrics`, accept, 15_000, 100);
}

describe('container metrics against a real engine', () => {
  it('reports a running labelled container with its start time, CPU and memory', async () => {
    const before = Date.now() / 1000;
    await engine.run({ name: 'web', labels: { 'aegis.autoheal': 'true' }, cmd: ['sleep', '3600'] });
    const body = await scrapeUntil(
      (b) => sample(b, 'aegis_container_state{name="web",state="running"}') === 1,
    );
    expect(sample(body, 'aegis_container_engine_up')).toBe(1);
    expect(sample(body, 'aegis_container_state{name="web",state="exited"}')).toBe(0);
    expect(sample(body, 'aegis_container_health_status{name="web",status="none"}')).toBe(1);
    expect(sample(body, 'aegis_container_restarts_total{name="web"}')).toBe(0);
    expect(sample(body, 'aegis_container_start_time_seconds{name="web"}')).toBeGreaterThan(
      before - 5,
    );
    expect(body).toMatch(
      /^aegis_container_info\{name="web",id="[0-9a-f]{12}",image="localhost\/busybox:latest"\} 1$/m,
    );
    const withStats = await scrapeUntil(
      (b) => sample(b, 'aegis_container_memory_usage_bytes{name="web"}') !== undefined,
    );
    expect(sample(withStats, 'aegis_container_memory_usage_bytes{name="web"}')).toBeGreaterThan(0);
    expect(
      sample(withStats, 'aegis_container_cpu_usage_seconds_total{name="web"}'),
    ).toBeGreaterThanOrEqual(0);
    const snapshot = sentinel.latestSnapshot();
    expect(
      snapshot?.containers?.containers.find((c) => c.name === 'web')?.labels['aegis.autoheal'],
    ).toBe('true');
  });

  it('reports a healthcheck once the engine has evaluated it', async () => {
    await engine.run({ name: 'checked', cmd: ['sleep', '3600'], healthCmd: 'true' });
    await engine.podman(['healthcheck', 'run', 'checked']);
    await scrapeUntil(
      (b) => sample(b, 'aegis_container_health_status{name="checked",status="healthy"}') === 1,
    );
  });

  it('follows a killed container to exited, drops its usage, and drops it when removed', async () => {
    await engine.podman(['kill', 'web']);
    const exited = await scrapeUntil(
      (b) => sample(b, 'aegis_container_state{name="web",state="exited"}') === 1,
    );
    expect(sample(exited, 'aegis_container_state{name="web",state="running"}')).toBe(0);
    expect(sample(exited, 'aegis_container_memory_usage_bytes{name="web"}')).toBeUndefined();
    await engine.podman(['rm', '-f', 'web']);
    const removed = await scrapeUntil((b) => !b.includes('name="web"'));
    expect(sample(removed, 'aegis_container_engine_up')).toBe(1);
  });

  it('reports the engine down when it goes away, and keeps serving', async () => {
    await engine.stop();
    const body = await scrapeUntil((b) => sample(b, 'aegis_container_engine_up') === 0);
    expect(body).not.toContain('aegis_container_state{');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
