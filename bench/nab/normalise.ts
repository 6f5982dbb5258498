/**
 * NAB's normalisation (`Runner.normalize`): 100·(score - null)/(perfect - null). The
 * null baseline is the score of NAB's null detector, which writes 0.5 on every row and
 * is optimised and scored like any other (its best is never to alarm, one -fnWeight per
 * scored window); perfect is tpWeight for every window in the label file.
 */
import type { LabelledFile } from './labels.js';
import type { CostMatrix } from './profiles.js';

/** The constant anomaly score of NAB's null detector. */
export const NULL_DETECTOR_SCORE = 0.5;

/** The null detector's results: 0.5 for every row of every file. */
export function nullDetectorScores(files: readonly LabelledFile[]): Map<string, number[]> {
  return new Map(
    files.map((file) => [file.key, new Array<number>(file.rowCount).fill(NULL_DETECTOR_SCORE)]),
  );
}

/** One tpWeight per labelled window: every window caught at its first row. */
export function perfectScore(files: readonly LabelledFile[], costs: CostMatrix): number {
  const windows = files.reduce((sum, file) => sum + file.windows.length, 0);
  return windows * costs.tpWeight;
}

/** Puts a raw score on NAB's scale, where the null detector gets 0 and a perfect one 100. */
export function normalisedScore(score: number, nullScore: number, perfect: number): number {
  return (100 * (score - nullScore)) / (perfect - nullScore);
}
