/**
 * The host's composite: the largest of the normalised scores (every input has 1.0 as
 * its threshold, so the maximum is above 1 exactly when some test fires), and the
 * series to blame. When the forest drives it, the series furthest from the middle of
 * its range in the scored row is blamed, since the forest itself names no feature.
 */
import type { SeriesScores } from './series-detector.js';

export function combine(
  series: ReadonlyMap<string, SeriesScores>,
  forest: number,
  positions: ReadonlyMap<string, number>,
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
    let furthest = -1;
    for (const [name, position] of positions) {
      if (Math.abs(position - 0.5) > furthest) {
        furthest = Math.abs(position - 0.5);
        top = name;
      }
    }
  }
  return { composite, top_metric: top };
}
