import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectionSchema, type DetectionConfigInput } from '../../../src/config/detection.js';
import type { Snapshot } from '../../../src/collect/snapshot.js';
import { AnomalyEngine } from '../../../src/detect/anomaly-engine.js';
import type { AnomalyEvent } from '../../../src/detect/anomaly-event.js';
import { InlineForestTrainer } from '../../../src/detect/forest-trainer.js';
import { silentLogger } from '../../../src/logger.js';
import { capturingLogger } from '../../support/capturing-logger.js';
import { latencies, probeSnapshot } from './support.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-detect-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function engine(input: DetectionConfigInput = {}, logger = silentLogger()) {
  const registry = new Registry();
  const config = detectionSchema.parse(input);
  return {
    registry,
    engine: new AnomalyEngine({ config, registry, logger, trainer: new InlineForestTrainer() }),
  };
}

describe('AnomalyEngine', () => {
  it('counts an exported series as judged only once past its warm-up', async () => {
    const { engine: e } = engine({ min_samples_for_detection: 50 });
    await e.start();
    latencies(49, 100).forEach((v, i) => e.observe(probeSnapshot(i, v)));
    expect(e.status()).toMatchObject({ ready: false, series: 1, series_ready: 0 });
    e.observe(probeSnapshot(49, 20));
    expect(e.status()).toMatchObject({ ready: true, series: 1, series_ready: 1 });
    await e.stop();
  });

  it('reports the onset and the end of a probe turning slow, once each, and exports the scores', async () => {
    const { logger, lines } = capturingLogger();
    const { engine: e, registry } = engine({}, logger);
    await e.start();
    // Long enough for the forest's first fit, on 300 rows past the warm-up.
    const values = latencies(700, 350);
    const events: AnomalyEvent[] = [];
    values.forEach((v, i) => events.push(...e.observe(probeSnapshot(i, v))));
    const onsets = events.filter((ev) => ev.kind === 'onset');
    const api = { name: 'probe_duration_seconds', labels: { target: 'api' } };
    const host = { name: 'host', labels: {} };
    expect(onsets.map((ev) => [ev.series, ev.detector, ev.timestamp_ms])).toEqual([
      // One round a second: the step is confirmed by its second round.
      [api, 'range', probeSnapshot(351, 0).timestamp_ms],
      [host, 'composite', probeSnapshot(351, 0).timestamp_ms],
    ]);
    expect(events.filter((ev) => ev.kind === 'resolved').map((ev) => ev.series)).toEqual([
      api,
      host,
    ]);
    expect(e.status()).toMatchObject({
      anomalies_detected: 1,
      ready: true,
      series: 1,
      series_ready: 1,
    });
    const text = await registry.metrics();
    expect(text).toMatch(
      /aegis_anomaly_score\{series="probe_duration_seconds",target="api",detector="shape"\} /,
    );
    expect(text).toMatch(/aegis_anomalous\{series="probe_duration_seconds",target="api"\} 0/);
    expect(text).toMatch(
      /aegis_anomalies_detected_total\{series="probe_duration_seconds",target="api"\} 1/,
    );
    expect(text).toMatch(/aegis_anomaly_score\{series="host",detector="composite"\} /);
    expect(text).toMatch(/aegis_anomalies_detected_total\{series="host"\} 1/);
    // prom-client leaves out the labels a series does not have: none is exported empty.
    expect(text).not.toMatch(/=""/);
    expect(text).toMatch(/aegis_detector_ready\{detector="iforest"\} 1/);
    for (const detector of ['range', 'shape', 'composite'])
      expect(text).toContain(`aegis_detector_ready{detector="${detector}"} 1`);
    // A round a second: three days do not fit the seasonal test's history.
    expect(text).toContain('aegis_detector_ready{detector="seasonal"} 0');
    // Two series (latency and success) a round for the series tests, one host row.
    for (const detector of ['range', 'shape', 'seasonal'])
      expect(text).toContain(`aegis_detector_samples_total{detector="${detector}"} 1400`);
    expect(text).toContain('aegis_detector_samples_total{detector="composite"} 700');
    // probe_success never varied: judged but not exported.
    expect(text).not.toMatch(/series="probe_success"/);
    const detected = lines.filter((l) => l.event === 'anomaly_detected');
    expect(detected.map((l) => [l.level, l.series, l.target, l.msg])).toEqual([
      ['warn', 'probe_duration_seconds', 'api', 'anomaly in probe_duration_seconds{target="api"}'],
      ['warn', 'host', undefined, 'anomaly in host'],
    ]);
    // The host's onset names the series that drove it, labelled like the series itself.
    expect(detected[1]?.top_series).toEqual({ series: 'probe_duration_seconds', target: 'api' });
    expect(lines.filter((l) => l.event === 'anomaly_resolved').map((l) => l.series)).toEqual([
      'probe_duration_seconds',
      'host',
    ]);
    expect(lines.some((l) => l.event === 'isolation_forest_fitted')).toBe(true);
    // Each detector says once when it starts judging; seasonal never does at 1 s.
    expect(
      lines.filter((l) => l.event === 'detector_ready').map((l) => [l.detector, l.msg]),
    ).toEqual([
      ['range', 'range detector ready'],
      ['shape', 'shape detector ready'],
      ['composite', 'composite detector ready'],
      ['iforest', 'iforest detector ready'],
    ]);
    await e.stop();
    await e.stop();
  });

  it('judges at most max_series series, however many arrive in one round', async () => {
    const { logger, lines } = capturingLogger();
    const { engine: e, registry } = engine({ max_series: 10 }, logger);
    // Each probe target is two series: its duration and its success.
    const round = (index: number, targets: number): Snapshot => ({
      ...probeSnapshot(index, 0.1),
      probes: Array.from({ length: targets }, (_, i) => ({
        target: `api-${i}`,
        url: `http://api-${i}`,
        success: true,
        duration_seconds: 0.1,
        status_code: 200,
      })),
    });
    e.observe(round(0, 3));
    e.observe(round(1, 40));
    e.observe(round(2, 40));
    // 6 series, then the 4 that fit, then the same 10.
    expect(await registry.getSingleMetricAsString('aegis_detector_samples_total')).toContain(
      'aegis_detector_samples_total{detector="range"} 26',
    );
    expect(lines.filter((line) => line.event === 'detector_series_limit')).toEqual([
      expect.objectContaining({
        max_series: 10,
        series: 'probe_duration_seconds',
        target: 'api-5',
      }),
    ]);
    await e.stop();
  });

  it('holds the exported anomaly state for anomaly_hold after an onset, then resolves', async () => {
    const { engine: e, registry } = engine({ anomaly_hold: '1m' });
    const t0 = 1_700_000_000_000;
    // A round every 5 s; a spike of two rounds ending at `onset` (a breach of rounds under
    // a minute apart is confirmed by the next), ordinary latencies around it.
    const values = latencies(400, Number.POSITIVE_INFINITY);
    const onset = 351;
    values[onset - 1] = 2;
    values[onset] = 2;
    const at = (i: number) => t0 + i * 5000;
    const gauge = async (name: string, labels: Record<string, string>) =>
      (await registry.getSingleMetric(name)?.get())?.values.find((v) =>
        Object.entries(labels).every(([k, l]) => v.labels[k] === l),
      )?.value;
    const labels = { series: 'probe_duration_seconds', target: 'api' };
    const events: [number, AnomalyEvent][] = [];
    const exported: Record<number, { score: number; host: number; anomalous: number }> = {};
    const now: Record<number, ReturnType<AnomalyEngine['status']>['anomalous']> = {};
    for (let i = 0; i < values.length; i += 1) {
      const snapshot = { ...probeSnapshot(i, values[i] as number), timestamp_ms: at(i) };
      for (const event of e.observe(snapshot)) events.push([i, event]);
      exported[i] = {
        score: (await gauge('aegis_anomaly_score', { ...labels, detector: 'range' })) ?? 0,
        host: (await gauge('aegis_anomaly_score', { series: 'host', detector: 'composite' })) ?? 0,
        anomalous: (await gauge('aegis_anomalous', labels)) ?? 0,
      };
      now[i] = e.status().anomalous;
    }
    const series = events.filter(([, ev]) => ev.series.name === labels.series);
    expect(series.map(([i, ev]) => [i, ev.kind])).toEqual([
      [onset, 'onset'],
      // t + 60 s is round onset + 12, still held; the first round after it resolves.
      [onset + 13, 'resolved'],
    ]);
    const peak = exported[onset]?.score ?? 0;
    expect(peak).toBeGreaterThan(1);
    for (let i = onset; i <= onset + 12; i += 1) {
      // The live score is back to ordinary at once; the export keeps the onset's peak.
      expect(exported[i]?.score).toBe(peak);
      expect(exported[i]?.host).toBeGreaterThan(1);
      expect(exported[i]?.anomalous).toBe(1);
    }
    // /status lists the series anomalous now, since the onset, with the exported (held) score.
    expect(now[onset - 1]).toEqual([]);
    const since = new Date(at(onset)).toISOString();
    for (const i of [onset, onset + 12]) {
      const listed = now[i] ?? [];
      expect(listed).toHaveLength(2);
      expect(listed).toContainEqual({ series: labels, since, score: peak });
      expect(listed).toContainEqual({
        series: { series: 'host' },
        since,
        score: exported[i]?.host,
      });
      const scores = listed.map((anomaly) => anomaly.score);
      expect(scores).toEqual([...scores].sort((x, y) => y - x));
    }
    expect(now[onset + 13]).toEqual([]);
    expect(exported[onset + 10]?.score).toBeGreaterThan(1); // t + 50 s
    expect(exported[onset + 13]?.score).toBeLessThan(1);
    expect(exported[onset + 13]?.anomalous).toBe(0);
    expect(
      events.filter(([, ev]) => ev.series.name === 'host').map(([i, ev]) => [i, ev.kind]),
    ).toEqual([
      [onset, 'onset'],
      [onset + 13, 'resolved'],
    ]);
    expect(e.status().anomalies_detected).toBe(1);
    await e.stop();
  });

  it('without a hold, resolves on the next round under 1', async () => {
    const { engine: e } = engine({ anomaly_hold: 0 });
    const values = latencies(400, Number.POSITIVE_INFINITY);
    values[350] = 2;
    values[351] = 2;
    const kinds: [number, string][] = [];
    values.forEach((v, i) => {
      for (const ev of e.observe(probeSnapshot(i, v)))
        if (ev.series.name === 'host') kinds.push([i, ev.kind]);
    });
    expect(kinds).toEqual([
      [351, 'onset'],
      [352, 'resolved'],
    ]);
    await e.stop();
  });

  it('exports each onset counter at 0 before its first onset, so increase() sees that onset', async () => {
    const { engine: e, registry } = engine();
    const text = async () => registry.metrics();
    expect(await text()).toContain('aegis_anomalies_detected_total{series="host"} 0');
    latencies(100, 1000).forEach((v, i) => e.observe(probeSnapshot(i, v)));
    expect(await text()).toContain(
      'aegis_anomalies_detected_total{series="probe_duration_seconds",target="api"} 0',
    );
    // probe_success never varied: not exported, counter included.
    expect(await text()).not.toMatch(/aegis_anomalies_detected_total\{series="probe_success"/);
    await e.stop();
  });

  it('drops a series that vanished from /metrics', async () => {
    const { engine: e, registry } = engine();
    latencies(100, 1000).forEach((v, i) => e.observe(probeSnapshot(i, v)));
    expect(await registry.metrics()).toMatch(/series="probe_duration_seconds",target="api"/);
    e.observe({ timestamp_ms: probeSnapshot(100, 0).timestamp_ms, probes: [], collectors: [] });
    expect(await registry.metrics()).not.toMatch(/series="probe_duration_seconds"/);
    expect(e.status().series).toBe(0);
    await e.stop();
  });

  it('restores saved state: a restarted engine scores exactly like one that never stopped', async () => {
    const file = join(dir, 'state', 'detector.json');
    const values = latencies(700, 620);
    const { engine: first } = engine({ state_file: file });
    await first.start();
    values.slice(0, 550).forEach((v, i) => first.observe(probeSnapshot(i, v)));
    await first.stop();

    const { engine: restarted, registry: restartedRegistry } = engine({ state_file: file });
    await restarted.start();
    const { engine: continuous, registry: continuousRegistry } = engine();
    values.slice(0, 550).forEach((v, i) => continuous.observe(probeSnapshot(i, v)));
    for (let i = 550; i < values.length; i += 1) {
      const snapshot = probeSnapshot(i, values[i] as number);
      expect(restarted.observe(snapshot)).toEqual(continuous.observe(snapshot));
      expect(restarted.status().host_score).toBe(continuous.status().host_score);
    }
    const scores = async (r: Registry) =>
      (await r.getSingleMetric('aegis_anomaly_score')?.get())?.values.sort((a, b) =>
        JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)),
      );
    expect(await scores(restartedRegistry)).toEqual(await scores(continuousRegistry));
    await restarted.stop();
    await continuous.stop();
  });

  it.each([
    ['corrupt', 'not json {'],
    ['incompatible', JSON.stringify({ version: 99 })],
  ])('starts fresh on a %s state file, logging why', async (_kind, content) => {
    const file = join(dir, 'detector.json');
    await writeFile(file, content);
    const { logger, lines } = capturingLogger();
    const { engine: e } = engine({ state_file: file }, logger);
    await expect(e.start()).resolves.toBeUndefined();
    const reset = lines.find((l) => l.event === 'detector_state_reset');
    expect(reset?.reason).toMatch(/corrupt|incompatible/);
    await e.stop();
    expect(lines.some((l) => l.event === 'detector_state_saved')).toBe(true);
  });

  it('keeps what it learned when a threshold is retuned, and starts fresh when a window changes, naming the key', async () => {
    const file = join(dir, 'detector.json');
    const values = latencies(400, Number.POSITIVE_INFINITY);
    const { engine: a } = engine({ state_file: file });
    await a.start();
    values.forEach((v, i) => a.observe(probeSnapshot(i, v)));
    await a.stop();

    const retuned = capturingLogger();
    const { engine: b } = engine(
      { state_file: file, shape_margin: 2, range_tolerance: 9, alarm_rest_samples: 10 },
      retuned.logger,
    );
    await b.start();
    expect(retuned.lines.find((l) => l.event === 'detector_state_restored')).toMatchObject({
      series: 2,
    });
    // Restored, it judges at once: no new warm-up.
    expect(b.status().ready).toBe(true);
    await b.stop();

    const reshaped = capturingLogger();
    const { engine: c } = engine({ state_file: file, shape_window: 8 }, reshaped.logger);
    await c.start();
    expect(reshaped.lines.find((l) => l.event === 'detector_state_reset')).toMatchObject({
      setting: 'detection.shape_window',
      reason: `${file}: incompatible: saved with detection.shape_window 6, configured 8`,
    });
    await c.stop();
  });
});
