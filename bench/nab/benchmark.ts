/**
 * NAB's `run.py --optimize --score --normalize` for one detector: per profile, the
 * threshold is optimised over all files together, each file is scored at it, the
 * file scores are summed and the sum normalised against the null detector and a
 * perfect one.
 */
import type { LabelledFile } from './labels.js';
import { normalisedScore, nullDetectorScores, perfectScore } from './normalise.js';
import { PROFILES, type CostMatrix, type Profile } from './profiles.js';
import { addTallies, EMPTY_TALLY, scoreAtThreshold, sweepFile, type Tally } from './scorer.js';
import { optimizeThreshold } from './sweeper.js';

/** A detector's result under one profile. */
export interface ProfileResult {
  profile: Profile;
  /** The optimised threshold: rows scoring at least this are alarms. */
  threshold: number;
  /** The raw total over the scored files, with NAB's row counts. */
  tally: Tally;
  nullScore: number;
  perfectScore: number;
  /** The figure NAB reports: 0 for the null detector, 100 for a perfect one. */
  normalised: number;
}

/** Optimises the threshold over the files that have scores, then totals their scores at it. */
function optimiseAndScore(
  files: readonly LabelledFile[],
  scoresByKey: ReadonlyMap<string, readonly number[]>,
  costs: CostMatrix,
): { threshold: number; tally: Tally } {
  const sweeps = files.flatMap((file) => {
    const scores = scoresByKey.get(file.key);
    return scores ? [sweepFile(file, scores, costs)] : [];
  });
  const { threshold } = optimizeThreshold(sweeps, costs);
  const tally = sweeps
    .map((sweep) => scoreAtThreshold(sweep, costs, threshold))
    .reduce(addTallies, EMPTY_TALLY);
  return { threshold, tally };
}

/** Scores a detector's per-file anomaly scores (keyed like `files`) under every profile. */
export function benchmark(
  files: readonly LabelledFile[],
  scoresByKey: ReadonlyMap<string, readonly number[]>,
): ProfileResult[] {
  const nullScores = nullDetectorScores(files);
  return PROFILES.map((profile) => {
    const { threshold, tally } = optimiseAndScore(files, scoresByKey, profile.costs);
    const nullScore = optimiseAndScore(files, nullScores, profile.costs).tally.score;
    const perfect = perfectScore(files, profile.costs);
    return {
      profile,
      threshold,
      tally,
      nullScore,
      perfectScore: perfect,
      normalised: normalisedScore(tally.score, nullScore, perfect),
    };
  });
}
