/**
 * NAB's threshold optimisation (`optimizer.optimizeThreshold` over
 * `Sweeper.calcScoreByThreshold`): the scored rows of all files together are sorted
 * by anomaly score once, highest first, and the threshold is lowered through every
 * distinct score, each row turning into an alarm as it is passed. The candidate
 * thresholds are 1.1 (no alarm at all) and every distinct anomaly score; the best is
 * the first, i.e. the highest threshold, among those with the greatest total score.
 */
import type { FileSweep } from './scorer.js';
import type { CostMatrix } from './profiles.js';

/** NAB's starting threshold, above every score in [0, 1]: nothing is an alarm. */
export const NO_ALARM_THRESHOLD = 1.1;

/** The total score of all files when rows scoring at least `threshold` are alarms. */
export interface ThresholdScore {
  threshold: number;
  score: number;
}

/** Every candidate threshold with its total score, highest threshold first (NAB's order). */
export function thresholdScores(sweeps: readonly FileSweep[], costs: CostMatrix): ThresholdScore[] {
  const points = sweeps.flatMap((sweep, file) => sweep.points.map((point) => ({ point, file })));
  const firstWindow: number[] = [];
  let windowCount = 0;
  for (const sweep of sweeps) {
    firstWindow.push(windowCount);
    windowCount += sweep.windowCount;
  }
  points.sort((a, b) => b.point.anomalyScore - a.point.anomalyScore);

  // Each window's part is -fnWeight until an alarm lands in it, then its best alarm's weight.
  const parts = new Array<number>(windowCount).fill(-costs.fnWeight);
  let windowTotal = parts.reduce((sum, part) => sum + part, 0);
  let falseAlarms = 0;
  let threshold = NO_ALARM_THRESHOLD;
  const out: ThresholdScore[] = [];
  for (const { point, file } of points) {
    if (point.anomalyScore !== threshold) {
      out.push({ threshold, score: falseAlarms + windowTotal });
      threshold = point.anomalyScore;
    }
    if (point.window < 0) {
      falseAlarms += point.weight;
      continue;
    }
    const window = (firstWindow[file] as number) + point.window;
    const part = parts[window] as number;
    if (point.weight > part) {
      windowTotal += point.weight - part;
      parts[window] = point.weight;
    }
  }
  out.push({ threshold, score: falseAlarms + windowTotal });
  return out;
}

/** The best threshold for all files together; among equal scores, the highest threshold. */
export function optimizeThreshold(sweeps: readonly FileSweep[], costs: CostMatrix): ThresholdScore {
  return thresholdScores(sweeps, costs).reduce((best, candidate) =>
    candidate.score > best.score ? candidate : best,
  );
}
