/**
 * The host's composite: the maximum of the normalised scores (every input has 1.0 as
 * its threshold, so the maximum is above 1 exactly when some detector fires), and the
 * series to blame. When the forest drives it, the series with the largest residual
 * in the scored vector is blamed, since the forest itself names no feature.
 */
import type { SeriesScores } from './series-detector.js';

export function combine(
  series: ReadonlyMap<string, SeriesScores>,
  forest: number,
  residuals: ReadonlyMap<string, number>,
): { composite: number; top_metric: string | null } {
  let composite = 0;
  let top: string | null = null;
  for (const [name, scores] of series) {
    if (scores.score > composite) {
      composite = scores.score;
      top = name;
    }
  }
  if (forest > composite) {
    composite = forest;
    let largest = -1;
    for (const [name, residual] of residuals) {
      if (Math.abs(residual) > largest) {
        largest = Math.abs(residual);
        top = name;
      }
    }
  }
  return { composite, top_metric: top };
}
