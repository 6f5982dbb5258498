import { describe, expect, it } from 'vitest';
import {
  analyse,
  decisions,
  type FaultRun,
  formatOffset,
  formatReport,
  isExpected,
  median,
  type Onset,
  type Phases,
} from '../../../../bench/live/report.js';

const onset = (atMs: number, series: string, extra: Partial<Onset> = {}): Onset => ({
  atMs,
  series,
  labels: {},
  detector: 'mad',
  ...extra,
});

const fault = (name: string, injectedMs: number, expected: RegExp): FaultRun => ({
  name,
  expectedDescription: name,
  expected,
  injectedMs,
  activeEndMs: injectedMs + 20_000,
  recoveryEndMs: injectedMs + 60_000,
  dose: 'done',
});

// Ready 1 min after start, 5 min warm-up, a 30 min ordinary period, faults after it.
const phases: Phases = {
  agentStartedMs: 0,
  readyMs: 60_000,
  watchStartMs: 360_000,
  watchEndMs: 2_160_000,
  endMs: 3_000_000,
};

const faults: FaultRun[] = [
  fault('cpu-hog', 2_200_000, /^cpu/),
  fault('memory-leak', 2_300_000, /^memory/),
  fault('disk-write-burst', 2_400_000, /^disk_writ/),
  fault('endpoint-latency', 2_500_000, /^probe_duration/),
  { ...fault('container-crash-loop', 0, /^container_/), skipped: 'podman is not installed' },
];

const onsets: Onset[] = [
  onset(30_000, 'cpu_utilisation'), // before readiness
  onset(65_000, 'network_receive_bytes_rate:lo'), // warm-up burst
  onset(70_000, 'host', { detector: 'composite', topMetric: 'network_receive_bytes_rate:lo' }),
  onset(400_000, 'probe_duration_seconds:svc'), // ordinary: three in 30 min
  onset(1_000_000, 'disk_read_bytes_rate:vda'),
  onset(2_159_999, 'memory_used_ratio'),
  onset(2_160_000, 'cpu_utilisation'), // the ordinary period has ended: between faults
  // cpu-hog: the host composite blaming the CPU comes first, 1.5 s after injection.
  onset(2_203_000, 'cpu_utilisation'),
  onset(2_201_500, 'host', { detector: 'composite', topMetric: 'cpu_utilisation' }),
  onset(2_230_000, 'network_transmit_bytes_rate:lo'), // cpu-hog's recovery pause
  onset(2_280_000, 'disk_read_bytes_rate:vda'), // between faults
  // memory-leak: an unrelated series first (2 s), the expected one at 8 s.
  onset(2_302_000, 'disk_read_bytes_rate:vda'),
  onset(2_308_000, 'memory_used_ratio', { detector: 'zscore' }),
  // disk-write-burst: on the window's last instant, with labels instead of a name suffix.
  onset(2_420_000, 'disk_written_bytes_rate', { labels: { device: 'vda' } }),
  // endpoint-latency: nothing in the window, one just after it.
  onset(2_520_001, 'probe_duration_seconds:svc'),
];

describe('analyse', () => {
  const analysis = analyse(onsets, phases, faults);

  it('splits the onsets before readiness, in the warm-up and in the ordinary period', () => {
    expect(analysis.beforeReady.map((o) => o.atMs)).toEqual([30_000]);
    expect(analysis.warmup.map((o) => o.atMs)).toEqual([65_000, 70_000]);
    expect(analysis.ordinary.map((o) => o.atMs)).toEqual([400_000, 1_000_000, 2_159_999]);
    expect(analysis.watchSeconds).toBe(1800);
    expect(analysis.falseOnsetsPerHour).toBe(6);
  });

  it('takes the first onset in each window as the detection and says whether it was expected', () => {
    const [cpu, memory, disk, latency, container] = analysis.faults;
    expect(cpu?.first).toMatchObject({ delaySeconds: 1.5, expected: true });
    expect(cpu?.first?.onset.series).toBe('host');
    expect(cpu?.firstExpected?.delaySeconds).toBe(1.5);
    expect(cpu?.windowOnsets).toBe(2);
    expect(cpu?.recoveryOnsets).toBe(1);

    expect(memory?.first).toMatchObject({ delaySeconds: 2, expected: false });
    expect(memory?.firstExpected).toMatchObject({ delaySeconds: 8, expected: true });
    expect(memory?.recoveryOnsets).toBe(0);

    expect(disk?.first).toMatchObject({ delaySeconds: 20, expected: true });

    expect(latency?.first).toBeUndefined();
    expect(latency?.firstExpected).toBeUndefined();
    expect(latency?.windowOnsets).toBe(0);
    expect(latency?.recoveryOnsets).toBe(1);

    expect(container?.first).toBeUndefined();
    expect(container?.windowOnsets).toBe(0);
  });

  it('predicts the chance onsets of a window from the ordinary rate', () => {
    // 6 per hour over 20 s.
    expect(analysis.faults[0]?.chanceOnsets).toBeCloseTo(1 / 30, 12);
  });

  it('counts the fault phase onsets outside every window and pause', () => {
    expect(analysis.betweenFaults).toBe(2);
  });

  it('takes the median and worst over the detected faults only', () => {
    expect(analysis.delays).toEqual([1.5, 2, 20]);
    expect(analysis.expectedDelays).toEqual([1.5, 8, 20]);
    expect(analysis.medianDelaySeconds).toBe(2);
    expect(analysis.worstDelaySeconds).toBe(20);
  });

  it('judges the targets', () => {
    expect(analysis.verdicts).toEqual([
      {
        name: 'false onsets per hour (ordinary period)',
        figure: '6.0',
        target: '<= 1',
        pass: false,
      },
      { name: 'faults detected', figure: '3/4 (1 skipped)', target: 'all', pass: false },
      { name: 'median detection delay', figure: '2.0 s', target: '<= 3 s', pass: true },
      { name: 'worst detection delay', figure: '20.0 s', target: '<= 10 s', pass: false },
    ]);
  });

  it('passes every target on a quiet hour with every fault caught in time', () => {
    const quiet: Phases = { ...phases, watchEndMs: phases.watchStartMs + 3_600_000 };
    const runs = [1, 2, 3, 4].map((n) => fault(`f${n}`, 10_000_000 * n, /^x/));
    const caught = runs.map((run, n) => onset(run.injectedMs + (n + 1) * 1000, 'x'));
    const result = analyse([onset(400_000, 'x'), ...caught], quiet, runs);
    expect(result.falseOnsetsPerHour).toBe(1);
    expect(result.medianDelaySeconds).toBe(2.5);
    expect(result.worstDelaySeconds).toBe(4);
    expect(result.verdicts.map((v) => v.pass)).toEqual([true, true, true, true]);
  });

  it('fails the delay targets when nothing was detected', () => {
    const result = analyse([], phases, [fault('f', 2_200_000, /^x/)]);
    expect(result.delays).toEqual([]);
    expect(result.verdicts.map((v) => [v.figure, v.pass])).toEqual([
      ['0.0', true],
      ['0/1', false],
      ['n/a', false],
      ['n/a', false],
    ]);
  });
});

describe('formatReport', () => {
  it('prints the figures, the lists and the verdicts', () => {
    const text = formatReport(analyse(onsets, phases, faults));
    expect(text).toContain(
      'warm-up burst (first 5.0 min after readiness, not counted as false): 2',
    );
    expect(text).toContain('    +0m05s  network_receive_bytes_rate:lo  [mad]');
    expect(text).toContain('    +0m10s  host (top: network_receive_bytes_rate:lo)  [composite]');
    expect(text).toContain('false onsets in the ordinary period: 3 in 30.0 min = 6.0 per hour');
    expect(text).toContain('    +35m00s  memory_used_ratio  [mad]');
    expect(text).toContain(
      '    DETECTED after 2.0 s: disk_read_bytes_rate:vda [mad] (NOT an expected series)',
    );
    expect(text).toContain(
      '    first expected-series onset after 8.0 s: memory_used_ratio [zscore]',
    );
    expect(text).toContain(
      '    DETECTED after 20.0 s: disk_written_bytes_rate{device="vda"} [mad] (an expected series)',
    );
    expect(text).toContain('    NOT DETECTED: no onset in the window');
    expect(text).toContain('  container-crash-loop: SKIPPED (podman is not installed)');
    expect(text).toContain('detection delays: 1.5, 2.0, 20.0 s; median 2.0 s, worst 20.0 s');
    expect(text).toContain(
      'on an expected series: 3 of 4 faults, delays 1.5, 8.0, 20.0 s; median 8.0 s, worst 20.0 s',
    );
    expect(text).toContain(
      '  worst detection delay                             20.0 s  (target <= 10 s)  FAIL',
    );
    expect(text).toContain(
      '  faults detected                          3/4 (1 skipped)  (target all)      FAIL',
    );
  });
});

describe('helpers', () => {
  it('median averages the two middle values of an even count', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('formatOffset gives minutes and seconds, signed', () => {
    expect(formatOffset(425_000)).toBe('+7m05s');
    expect(formatOffset(-3_000)).toBe('-0m03s');
    expect(formatOffset(0)).toBe('+0m00s');
  });

  it('counts a host onset with a series onset in the same second once, and a host onset alone', () => {
    const list = [
      onset(1_000, 'filesystem_used_ratio'),
      onset(1_400, 'host', { detector: 'composite' }),
      onset(9_000, 'host', { detector: 'composite' }), // the forest's, alone
    ];
    expect(decisions(list).map((o) => [o.atMs, o.series])).toEqual([
      [1_000, 'filesystem_used_ratio'],
      [9_000, 'host'],
    ]);
  });

  it('isExpected matches the series key or the host composite’s top metric', () => {
    expect(isExpected(onset(0, 'cpu_utilisation'), /^cpu/)).toBe(true);
    expect(isExpected(onset(0, 'host', { topMetric: 'cpu_utilisation' }), /^cpu/)).toBe(true);
    expect(isExpected(onset(0, 'host', { topMetric: 'memory_used_ratio' }), /^cpu/)).toBe(false);
    expect(
      isExpected(
        onset(0, 'container_cpu_rate', { labels: { name: 'bench-crashloop' } }),
        /^container_.*bench-crashloop/,
      ),
    ).toBe(true);
  });
});
