/**
 * NAB's per-row and per-file scoring (its `nab/sweeper.py`, `calcSweepScore` and
 * `scoreDataSet`). Every row after the probation period gets a weight: what an
 * alarm on that row would be worth. Inside a window it is the scaled sigmoid of the
 * row's position, 1 at the window's first row falling to nearly 0 at its last;
 * outside it is negative, -fpWeight before the first window and, after a window,
 * the scaled sigmoid of the distance past that window's end. At a threshold, a row
 * whose anomaly score is at least the threshold is an alarm; each window counts its
 * best (earliest) alarm or, with none, -fnWeight; every alarm outside adds its weight.
 */
import type { LabelledFile, Window } from './labels.js';
import type { CostMatrix } from './profiles.js';

/** The share of a file's rows that NAB leaves unscored at its start. */
export const PROBATION_FRACTION = 0.15;

/** Rows at the start of a file that are not scored: min(floor(0.15·n), 0.15·5000 = 750). */
export function probationLength(rowCount: number): number {
  return Math.min(Math.floor(PROBATION_FRACTION * rowCount), PROBATION_FRACTION * 5000);
}

/** NAB's 2·sigmoid(-5x) - 1, clamped to -1 beyond x = 3. */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1.0;
}

/** One scored row: its anomaly score, what an alarm on it is worth, and its window. */
export interface SweepPoint {
  anomalyScore: number;
  /** The row's NAB weight under the profile (NAB's `sweepScore`). */
  weight: number;
  /** Index of the row's window among the file's scored windows, or -1 outside every window. */
  window: number;
}

/** A file's scored rows under one profile. */
export interface FileSweep {
  /** The rows after the probation period, in file order. */
  points: SweepPoint[];
  /** Windows that reach past the probation period; a window wholly inside it is not scored. */
  windowCount: number;
}

/** The outcome at one threshold; the counts are rows, as in NAB's `*_scores.csv`. */
export interface Tally {
  score: number;
  /** Alarm rows inside windows. */
  tp: number;
  /** Alarm rows outside windows. */
  fp: number;
  /** Quiet rows inside windows. */
  fn: number;
  /** Quiet rows outside windows. */
  tn: number;
  /** Scored windows, and how many of them hold an alarm. */
  windows: number;
  detected: number;
}

export const EMPTY_TALLY: Tally = { score: 0, tp: 0, fp: 0, fn: 0, tn: 0, windows: 0, detected: 0 };

export function addTallies(a: Tally, b: Tally): Tally {
  return {
    score: a.score + b.score,
    tp: a.tp + b.tp,
    fp: a.fp + b.fp,
    fn: a.fn + b.fn,
    tn: a.tn + b.tn,
    windows: a.windows + b.windows,
    detected: a.detected + b.detected,
  };
}

function width(window: Window): number {
  return window.last - window.first + 1;
}

/** What an alarm on `row` is worth given the window it is in, or else the last one before it. */
function rowWeight(
  row: number,
  inside: Window | undefined,
  before: Window | undefined,
  costs: CostMatrix,
): number {
  if (inside) {
    const position = -(inside.last - row + 1) / width(inside);
    return (scaledSigmoid(position) * costs.tpWeight) / scaledSigmoid(-1.0);
  }
  if (!before) return -1.0 * costs.fpWeight;
  return scaledSigmoid(Math.abs(before.last - row) / (width(before) - 1)) * costs.fpWeight;
}

/** The weights of a file's scored rows; `scores` holds one anomaly score per data row. */
export function sweepFile(
  file: LabelledFile,
  scores: readonly number[],
  costs: CostMatrix,
): FileSweep {
  if (scores.length !== file.rowCount)
    throw new Error(`${file.key}: ${scores.length} scores for ${file.rowCount} data rows`);
  const probation = probationLength(file.rowCount);
  const unscored = file.windows.filter((window) => window.last < probation).length;
  const points: SweepPoint[] = [];
  let next = 0;
  scores.forEach((anomalyScore, row) => {
    while (next < file.windows.length && (file.windows[next] as Window).last < row) next += 1;
    const candidate = file.windows[next];
    const inside = candidate && candidate.first <= row ? candidate : undefined;
    if (row < probation) return;
    points.push({
      anomalyScore,
      weight: rowWeight(row, inside, file.windows[next - 1], costs),
      window: inside ? next - unscored : -1,
    });
  });
  return { points, windowCount: file.windows.length - unscored };
}

/** Scores a file at a threshold: rows whose anomaly score is at least `threshold` are alarms. */
export function scoreAtThreshold(sweep: FileSweep, costs: CostMatrix, threshold: number): Tally {
  const best = new Array<number>(sweep.windowCount).fill(-costs.fnWeight);
  const detected = new Array<boolean>(sweep.windowCount).fill(false);
  const tally = { ...EMPTY_TALLY, windows: sweep.windowCount };
  let falseAlarms = 0;
  for (const point of sweep.points) {
    const alarm = point.anomalyScore >= threshold;
    if (point.window < 0) {
      if (alarm) falseAlarms += point.weight;
      tally[alarm ? 'fp' : 'tn'] += 1;
    } else {
      if (alarm) {
        best[point.window] = Math.max(best[point.window] as number, point.weight);
        detected[point.window] = true;
      }
      tally[alarm ? 'tp' : 'fn'] += 1;
    }
  }
  tally.score = best.reduce((sum, part) => sum + part, falseAlarms);
  tally.detected = detected.filter(Boolean).length;
  return tally;
}
