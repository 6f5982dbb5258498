import { describe, expect, it } from 'vitest';
import type { ContainerStats, Snapshot } from '../../../src/collect/snapshot.js';
import { fingerprint } from '../../../src/heal/receive/fingerprint.js';
import { LocalAlerts } from '../../../src/heal/local-loop.js';
import { loadPolicy, selectRules } from '../../../src/heal/policy/policy.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');

function container(
  name: string,
  state: ContainerStats['state'],
  health: ContainerStats['health'] = 'none',
): ContainerStats {
  return {
    id: name,
    name,
    image: 'busybox',
    state,
    health,
    restart_count: 0,
    started_at_seconds: 0,
    labels: {},
  };
}

function snapshot(at: number, parts: Partial<Snapshot>): Snapshot {
  return { timestamp_ms: at, collectors: [], ...parts };
}

const exited = {
  alertname: 'AegisContainerExited',
  container: 'web',
  severity: 'critical',
  job: 'aegis-sentinel',
  source: 'local',
};

describe('LocalAlerts', () => {
  it('fires for exited and unhealthy containers, and resolves when they recover', () => {
    const local = new LocalAlerts({ endpointDownRounds: 3, repeatIntervalMs: 300_000 });
    const first = local.observe(
      snapshot(T0, {
        containers: {
          engine_up: true,
          containers: [
            container('web', 'exited'),
            container('db', 'running', 'unhealthy'),
            container('ok', 'running'),
          ],
        },
      }),
      [],
      T0,
    );
    expect(first).toEqual([
      {
        status: 'firing',
        labels: exited,
        startsAt: '2025-01-01T00:00:00.000Z',
        fingerprint: fingerprint(exited),
        source: 'local',
      },
      {
        status: 'firing',
        labels: {
          alertname: 'AegisContainerUnhealthy',
          container: 'db',
          severity: 'critical',
          job: 'aegis-sentinel',
          source: 'local',
        },
        startsAt: '2025-01-01T00:00:00.000Z',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        source: 'local',
      },
    ]);
    // The engine could not be read: nothing fires or resolves.
    expect(
      local.observe(
        snapshot(T0 + 5_000, { containers: { engine_up: false, containers: [] } }),
        [],
        T0 + 5_000,
      ),
    ).toEqual([]);
    const later = local.observe(
      snapshot(T0 + 10_000, {
        containers: {
          engine_up: true,
          containers: [container('web', 'running'), container('db', 'running', 'unhealthy')],
        },
      }),
      [],
      T0 + 10_000,
    );
    expect(later).toEqual([{ ...first[0], status: 'resolved' }]);
  });

  it(`fires AegisEndpointDown after N failed rounds, resolves on success`, () => {
    const local = new LocalAlerts({ endpointDownRounds: 3, repeatIntervalMs: 300_000 });
    const probe = (success: boolean) => [
      {
        target: 'api',
        url: 'http://x/',
        success,
        duration_seconds: 0.1,
        status_code: success ? 200 : 0,
      },
    ];
    expect(local.observe(snapshot(T0, { probes: probe(false) }), [], T0)).toEqual([]);
    expect(local.observe(snapshot(T0 + 1, { probes: probe(false) }), [], T0 + 1)).toEqual([]);
    const fired = local.observe(snapshot(T0 + 2, { probes: probe(false) }), [], T0 + 2);
    expect(fired.map((alert) => [alert.status, alert.labels])).toEqual([
      [
        'firing',
        {
          alertname: 'AegisEndpointDown',
          target: 'api',
          severity: 'critical',
          job: 'aegis-sentinel',
          source: 'local',
        },
      ],
    ]);
    expect(local.observe(snapshot(T0 + 3, {}), [], T0 + 3)).toEqual([]);
    expect(
      local
        .observe(snapshot(T0 + 4, { probes: probe(true) }), [], T0 + 4)
        .map((alert) => alert.status),
    ).toEqual(['resolved']);
  });

  it('turns anomaly onsets into warnings until their resolved event', () => {
    const local = new LocalAlerts({ endpointDownRounds: 3, repeatIntervalMs: 300_000 });
    const event = (kind: 'onset' | 'resolved', at: number) => ({
      kind,
      series: { name: 'filesystem_used_ratio', labels: { mountpoint: '/' } },
      detector: 'zscore',
      value: 0.9,
      score: 1.4,
      timestamp_ms: at,
    });
    const onset = local.observe(snapshot(T0, {}), [event('onset', T0 - 500)], T0);
    expect(onset).toEqual([
      {
        status: 'firing',
        labels: {
          alertname: 'AegisAnomalyDetected',
          series: 'filesystem_used_ratio',
          mountpoint: '/',
          severity: 'warning',
          job: 'aegis-sentinel',
          source: 'local',
        },
        startsAt: '2024-12-31T23:59:59.500Z',
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
        source: 'local',
      },
    ]);
    expect(
      local.observe(snapshot(T0 + 5_000, {}), [event('onset', T0 + 5_000)], T0 + 5_000),
    ).toEqual([]);
    expect(
      local.observe(snapshot(T0 + 10_000, {}), [event('resolved', T0 + 10_000)], T0 + 10_000),
    ).toEqual([{ ...onset[0], status: 'resolved' }]);
  });

  it("labels anomaly alerts like the Prometheus rule, so the example policy's anomaly rule matches them", async () => {
    const local = new LocalAlerts({ endpointDownRounds: 3, repeatIntervalMs: 300_000 });
    const [alert] = local.observe(
      snapshot(T0, {}),
      [
        {
          kind: 'onset',
          series: { name: 'probe_duration_seconds', labels: { target: 'demo' } },
          detector: 'mad',
          value: 2.5,
          score: 4,
          timestamp_ms: T0,
        },
      ],
      T0,
    );
    expect(alert?.labels).toMatchObject({ series: 'probe_duration_seconds', target: 'demo' });
    const policy = await loadPolicy('examples/policy.yml');
    expect(selectRules(policy, alert?.labels ?? {}).map((rule) => rule.name)).toEqual([
      'flush-cache-when-slow',
    ]);
  });

  it('raises no alert for the host composite, as the Prometheus rules raise none', () => {
    const local = new LocalAlerts({ endpointDownRounds: 3, repeatIntervalMs: 300_000 });
    const host = {
      kind: 'onset' as const,
      series: { name: 'host', labels: {} },
      detector: 'composite',
      value: 0.9,
      score: 3,
      timestamp_ms: T0,
    };
    expect(local.observe(snapshot(T0, {}), [host], T0)).toEqual([]);
  });

  it('hands a still-firing alert out again after the repeat interval, and at once when it was not taken', () => {
    const local = new LocalAlerts({ endpointDownRounds: 3, repeatIntervalMs: 60_000 });
    const round = (at: number) =>
      local.observe(
        snapshot(at, { containers: { engine_up: true, containers: [container('web', 'dead')] } }),
        [],
        at,
      );
    const [alert] = round(T0);
    expect(round(T0 + 30_000)).toEqual([]);
    expect(round(T0 + 60_000)).toEqual([alert]);
    local.unsent([alert!]);
    expect(round(T0 + 65_000)).toEqual([alert]);
    expect(round(T0 + 70_000)).toEqual([]);
  });
});
