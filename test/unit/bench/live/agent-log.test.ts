import { describe, expect, it } from 'vitest';
import { parseAnomalyLine, seriesKey } from '../../../../bench/live/agent-log.js';

const RECEIVED = 1_700_000_000_000;

describe('parseAnomalyLine', () => {
  it('reads an onset named by metric, with the log line’s own time', () => {
    const line = JSON.stringify({
      level: 'warn',
      time: '2026-01-02T03:04:05.678Z',
      event: 'anomaly_detected',
      metric: 'cpu_utilisation',
      value: 0.97,
      score: 5.1,
      detector: 'mad',
    });
    expect(parseAnomalyLine(line, RECEIVED)).toEqual({
      kind: 'onset',
      atMs: Date.parse('2026-01-02T03:04:05.678Z'),
      series: 'cpu_utilisation',
      labels: {},
      detector: 'mad',
    });
  });

  it('reads a series with its source labels beside it, as the agent logs them', () => {
    const line = JSON.stringify({
      event: 'anomaly_resolved',
      series: 'disk_written_bytes_rate',
      device: 'vda',
      value: 3,
      detector: 'range',
    });
    expect(parseAnomalyLine(line, RECEIVED)).toEqual({
      kind: 'resolved',
      atMs: RECEIVED,
      series: 'disk_written_bytes_rate',
      labels: { device: 'vda' },
      detector: 'range',
    });
  });

  it("reads the host onset's top_series as series and labels", () => {
    const line = JSON.stringify({
      event: 'anomaly_detected',
      series: 'host',
      detector: 'composite',
      top_series: { series: 'probe_duration_seconds', target: 'svc' },
    });
    expect(parseAnomalyLine(line, RECEIVED)).toMatchObject({
      series: 'host',
      labels: {},
      topMetric: 'probe_duration_seconds{target="svc"}',
    });
  });

  it("reads an older agent's top_metric", () => {
    const line = JSON.stringify({
      event: 'anomaly_detected',
      metric: 'host',
      detector: 'composite',
      top_metric: 'cpu_utilisation',
    });
    expect(parseAnomalyLine(line, RECEIVED)?.topMetric).toBe('cpu_utilisation');
  });

  it('prefers series over metric', () => {
    const line = JSON.stringify({ event: 'anomaly_detected', series: 'a', metric: 'b' });
    expect(parseAnomalyLine(line, RECEIVED)?.series).toBe('a');
  });

  it('ignores other events and lines that are not JSON', () => {
    expect(parseAnomalyLine('{"event":"agent_started"}', RECEIVED)).toBeUndefined();
    expect(parseAnomalyLine('{"event":"anomaly_other","metric":"x"}', RECEIVED)).toBeUndefined();
    expect(parseAnomalyLine('anomaly_detected but "anomaly_ not json', RECEIVED)).toBeUndefined();
  });
});

describe('seriesKey', () => {
  it('renders sorted labels and the top metric', () => {
    expect(
      seriesKey({ series: 'probe_duration_seconds', labels: { target: 'svc', a: 'x"y' } }),
    ).toBe('probe_duration_seconds{a="x\\"y",target="svc"}');
    expect(seriesKey({ series: 'host', labels: {}, topMetric: 'memory_used_ratio' })).toBe(
      'host (top: memory_used_ratio)',
    );
  });
});
