/**
 * What bench:live concludes from the agent's onsets and the bench's own timeline: false
 * onsets per hour in the ordinary period, the warm-up burst, per fault whether it was
 * detected and how fast, and the targets as PASS/FAIL. Pure (no clock, no I/O), so the
 * figures are unit-tested.
 */
import { type AnomalyLogEvent, seriesKey } from './agent-log.js';

export type Onset = Omit<AnomalyLogEvent, 'kind'>;

/** The bench's timeline, Unix ms. */
export interface Phases {
  agentStartedMs: number;
  /** When /status first said the detector was ready. */
  readyMs: number;
  /** readyMs + warm-up: the ordinary (watched) period starts here. */
  watchStartMs: number;
  watchEndMs: number;
  /** When the last fault's recovery pause ended. */
  endMs: number;
}

export interface FaultRun {
  name: string;
  /** The series a good detector should fire on, in words. */
  expectedDescription: string;
  /** Matched against an onset's series key (and a host onset's top metric). */
  expected: RegExp;
  /** Why the fault was not injected. */
  skipped?: string;
  injectedMs: number;
  /** When the fault was stopped; onsets in [injectedMs, activeEndMs] count as detection. */
  activeEndMs: number;
  /** End of the recovery pause that followed. */
  recoveryEndMs: number;
  /** What was actually done (CPU seconds burnt, MiB allocated, ...). */
  dose: string;
}

export interface Targets {
  maxFalseOnsetsPerHour: number;
  maxMedianDelaySeconds: number;
  maxWorstDelaySeconds: number;
}

export const DEFAULT_TARGETS: Targets = {
  maxFalseOnsetsPerHour: 1,
  maxMedianDelaySeconds: 3,
  maxWorstDelaySeconds: 10,
};

export interface Detection {
  onset: Onset;
  delaySeconds: number;
  expected: boolean;
}

export interface FaultOutcome {
  run: FaultRun;
  /** The first onset of any series in the fault's active window. */
  first?: Detection;
  /** The first onset on an expected series in that window, when one came. */
  firstExpected?: Detection;
  windowOnsets: number;
  recoveryOnsets: number;
  /** Onsets the ordinary rate alone would put in a window this long. */
  chanceOnsets: number;
}

export interface Verdict {
  name: string;
  figure: string;
  target: string;
  pass: boolean;
}

export interface Analysis {
  phases: Phases;
  beforeReady: Onset[];
  warmup: Onset[];
  ordinary: Onset[];
  watchSeconds: number;
  falseOnsetsPerHour: number;
  faults: FaultOutcome[];
  /** Onsets in the fault phase outside every fault's window and recovery pause. */
  betweenFaults: number;
  /** Delays of the detected (injected) faults, seconds. */
  delays: number[];
  /** Delays to the first onset on an expected series, where one came, seconds. */
  expectedDelays: number[];
  medianDelaySeconds: number;
  worstDelaySeconds: number;
  verdicts: Verdict[];
}

/** Whether an onset is on a series the fault should move. */
export function isExpected(onset: Onset, expected: RegExp): boolean {
  const key = seriesKey({ series: onset.series, labels: onset.labels });
  return expected.test(key) || (onset.topMetric !== undefined && expected.test(onset.topMetric));
}

const within = (onset: Onset, fromMs: number, toMs: number) =>
  onset.atMs >= fromMs && onset.atMs < toMs;

/**
 * The onsets as decisions: the host's onset is the decision some series made that round
 * (or the forest's), so a host onset within a second of a series onset is the same
 * incident and is not counted twice; a host onset alone (the forest's) counts.
 */
export function decisions(onsets: readonly Onset[]): Onset[] {
  const series = onsets.filter((o) => o.series !== 'host');
  return onsets.filter(
    (o) => o.series !== 'host' || !series.some((s) => Math.abs(s.atMs - o.atMs) <= 1000),
  );
}

export function analyse(
  onsets: readonly Onset[],
  phases: Phases,
  faults: readonly FaultRun[],
  targets: Targets = DEFAULT_TARGETS,
): Analysis {
  const sorted = decisions(onsets).sort((a, b) => a.atMs - b.atMs);
  const beforeReady = sorted.filter((o) => o.atMs < phases.readyMs);
  const warmup = sorted.filter((o) => within(o, phases.readyMs, phases.watchStartMs));
  const ordinary = sorted.filter((o) => within(o, phases.watchStartMs, phases.watchEndMs));
  const watchSeconds = (phases.watchEndMs - phases.watchStartMs) / 1000;
  const falseOnsetsPerHour = watchSeconds > 0 ? (ordinary.length * 3600) / watchSeconds : NaN;

  const outcomes = faults.map((run): FaultOutcome => {
    const chanceOnsets = Number.isFinite(falseOnsetsPerHour)
      ? (falseOnsetsPerHour * (run.activeEndMs - run.injectedMs)) / 3_600_000
      : NaN;
    if (run.skipped !== undefined)
      return { run, windowOnsets: 0, recoveryOnsets: 0, chanceOnsets: 0 };
    // The window includes its end: an onset logged in the round that saw the fault stop.
    const inWindow = sorted.filter((o) => o.atMs >= run.injectedMs && o.atMs <= run.activeEndMs);
    const detection = (onset: Onset): Detection => ({
      onset,
      delaySeconds: (onset.atMs - run.injectedMs) / 1000,
      expected: isExpected(onset, run.expected),
    });
    const outcome: FaultOutcome = {
      run,
      windowOnsets: inWindow.length,
      recoveryOnsets: sorted.filter((o) => o.atMs > run.activeEndMs && o.atMs < run.recoveryEndMs)
        .length,
      chanceOnsets,
    };
    const first = inWindow[0];
    if (first) outcome.first = detection(first);
    const firstExpected = inWindow.find((o) => isExpected(o, run.expected));
    if (firstExpected) outcome.firstExpected = detection(firstExpected);
    return outcome;
  });

  const betweenFaults = sorted.filter(
    (o) =>
      within(o, phases.watchEndMs, phases.endMs) &&
      !faults.some((f) => f.skipped === undefined && within(o, f.injectedMs, f.recoveryEndMs)),
  ).length;

  const injected = outcomes.filter((o) => o.run.skipped === undefined);
  const delays = injected.flatMap((o) => (o.first ? [o.first.delaySeconds] : []));
  const expectedDelays = injected.flatMap((o) =>
    o.firstExpected ? [o.firstExpected.delaySeconds] : [],
  );
  const medianDelaySeconds = median(delays);
  const worstDelaySeconds = delays.length === 0 ? NaN : Math.max(...delays);
  const detected = delays.length;
  const skipped = outcomes.length - injected.length;

  const verdicts: Verdict[] = [
    {
      name: 'false onsets per hour (ordinary period)',
      figure: formatNumber(falseOnsetsPerHour, 1),
      target: `<= ${targets.maxFalseOnsetsPerHour}`,
      pass: falseOnsetsPerHour <= targets.maxFalseOnsetsPerHour,
    },
    {
      name: 'faults detected',
      figure: `${detected}/${injected.length}${skipped > 0 ? ` (${skipped} skipped)` : ''}`,
      target: 'all',
      pass: injected.length > 0 && detected === injected.length,
    },
    {
      name: 'median detection delay',
      figure: formatSeconds(medianDelaySeconds),
      target: `<= ${targets.maxMedianDelaySeconds} s`,
      pass: medianDelaySeconds <= targets.maxMedianDelaySeconds,
    },
    {
      name: 'worst detection delay',
      figure: formatSeconds(worstDelaySeconds),
      target: `<= ${targets.maxWorstDelaySeconds} s`,
      pass: worstDelaySeconds <= targets.maxWorstDelaySeconds,
    },
  ];

  return {
    phases,
    beforeReady,
    warmup,
    ordinary,
    watchSeconds,
    falseOnsetsPerHour,
    faults: outcomes,
    betweenFaults,
    delays,
    expectedDelays,
    medianDelaySeconds,
    worstDelaySeconds,
    verdicts,
  };
}

/** The middle value; the mean of the two middle values for an even count; NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function formatNumber(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function formatSeconds(seconds: number): string {
  return Number.isFinite(seconds) ? `${seconds.toFixed(1)} s` : 'n/a';
}

/** `+7m05s` (or `-0m03s` before the reference). */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const total = Math.round(Math.abs(ms) / 1000);
  return `${sign}${Math.floor(total / 60)}m${String(total % 60).padStart(2, '0')}s`;
}

function onsetLines(onsets: readonly Onset[], readyMs: number, limit: number): string[] {
  const lines = onsets
    .slice(0, limit)
    .map((o) => `    ${formatOffset(o.atMs - readyMs)}  ${seriesKey(o)}  [${o.detector}]`);
  if (onsets.length > limit) lines.push(`    ... and ${onsets.length - limit} more`);
  return lines;
}

/** The report as printed; times of onsets are since the detector's readiness. */
export function formatReport(analysis: Analysis, listLimit = 50): string {
  const { phases } = analysis;
  const out: string[] = [];
  const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
  out.push('== bench:live report ==');
  out.push(
    `detector ready ${formatSeconds((phases.readyMs - phases.agentStartedMs) / 1000)} after the agent started; ` +
      `warm-up ${minutes(phases.watchStartMs - phases.readyMs)}, ordinary period ${minutes(phases.watchEndMs - phases.watchStartMs)}`,
  );
  out.push('');
  out.push(`onsets before readiness: ${analysis.beforeReady.length}`);
  out.push(
    `warm-up burst (first ${minutes(phases.watchStartMs - phases.readyMs)} after readiness, not counted as false): ${analysis.warmup.length}`,
  );
  out.push(...onsetLines(analysis.warmup, phases.readyMs, listLimit));
  out.push('');
  out.push(
    `false onsets in the ordinary period: ${analysis.ordinary.length} in ${minutes(analysis.watchSeconds * 1000)} = ` +
      `${formatNumber(analysis.falseOnsetsPerHour, 1)} per hour`,
  );
  out.push(...onsetLines(analysis.ordinary, phases.readyMs, listLimit));
  out.push('');
  out.push('faults (each window: injection to stop; any onset in it counts as detection):');
  for (const outcome of analysis.faults) {
    const { run } = outcome;
    if (run.skipped !== undefined) {
      out.push(`  ${run.name}: SKIPPED (${run.skipped})`);
      continue;
    }
    const window = (run.activeEndMs - run.injectedMs) / 1000;
    out.push(
      `  ${run.name} at ${formatOffset(run.injectedMs - phases.readyMs)} for ${window.toFixed(0)} s: ${run.dose}`,
    );
    out.push(`    expected series: ${run.expectedDescription}`);
    if (outcome.first) {
      const { onset, delaySeconds, expected } = outcome.first;
      out.push(
        `    DETECTED after ${formatSeconds(delaySeconds)}: ${seriesKey(onset)} [${onset.detector}]` +
          ` (${expected ? 'an expected series' : 'NOT an expected series'})`,
      );
      if (!expected) {
        out.push(
          outcome.firstExpected
            ? `    first expected-series onset after ${formatSeconds(outcome.firstExpected.delaySeconds)}: ${seriesKey(outcome.firstExpected.onset)} [${outcome.firstExpected.onset.detector}]`
            : '    no onset on an expected series',
        );
      }
    } else {
      out.push('    NOT DETECTED: no onset in the window');
    }
    out.push(
      `    onsets in the window: ${outcome.windowOnsets} (the ordinary rate predicts ${formatNumber(outcome.chanceOnsets, 2)} by chance); ` +
        `in the recovery pause: ${outcome.recoveryOnsets}`,
    );
  }
  out.push(`  onsets in the fault phase outside every window and pause: ${analysis.betweenFaults}`);
  out.push('');
  out.push(
    `detection delays: ${analysis.delays.map((d) => d.toFixed(1)).join(', ') || 'none'} s; ` +
      `median ${formatSeconds(analysis.medianDelaySeconds)}, worst ${formatSeconds(analysis.worstDelaySeconds)}`,
  );
  const expected = analysis.expectedDelays;
  out.push(
    `on an expected series: ${expected.length} of ${analysis.faults.filter((f) => f.run.skipped === undefined).length} faults, ` +
      `delays ${expected.map((d) => d.toFixed(1)).join(', ') || 'none'} s; ` +
      `median ${formatSeconds(median(expected))}, worst ${formatSeconds(expected.length === 0 ? NaN : Math.max(...expected))}`,
  );
  out.push('');
  out.push('targets:');
  const width = Math.max(...analysis.verdicts.map((v) => v.name.length));
  const targetWidth = Math.max(...analysis.verdicts.map((v) => v.target.length));
  for (const v of analysis.verdicts) {
    const target = `(target ${v.target})`.padEnd(targetWidth + 9);
    out.push(
      `  ${v.name.padEnd(width)}  ${v.figure.padStart(15)}  ${target}  ${v.pass ? 'PASS' : 'FAIL'}`,
    );
  }
  return out.join('\n');
}
