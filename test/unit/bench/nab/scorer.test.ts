import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../../bench/nab/profiles.js';
import {
  probationLength,
  scaledSigmoid,
  scoreAtThreshold,
  sweepFile,
} from '../../../../bench/nab/scorer.js';
import { labelledFile, scores } from './fixtures.js';

const standard = PROFILES[0]!.costs; // TP 1, FP 0.11, FN 1
const lowFn = PROFILES[2]!.costs; // TP 1, FP 0.11, FN 2

// 20 rows: probation floor(0.15·20) = 3 rows (0..2); one window on rows 10..14 (width 5).
const file = labelledFile('f/a.csv', 20, [{ first: 10, last: 14 }]);

/** The file's score under the standard profile with alarms (score 1) on `rows`. */
function scoreWithAlarms(rows: number[], costs = standard): number {
  const at = Object.fromEntries(rows.map((row) => [row, 1]));
  return scoreAtThreshold(sweepFile(file, scores(20, at), costs), costs, 0.5).score;
}

// 2·sigmoid(-5x) - 1 = tanh(-2.5x), which the hand values below use.
describe('scaledSigmoid', () => {
  it('is tanh(-2.5x), 0 at a window end and -1 beyond 3', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866142981514305, 15); // tanh(2.5)
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.8482836399575131, 15); // tanh(1.25)
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.9866142981514303, 15); // tanh(-2.5)
    expect(scaledSigmoid(3)).toBeCloseTo(-0.9999993881955461, 15); // tanh(-7.5), not yet clamped
    expect(scaledSigmoid(3.5)).toBe(-1);
  });
});

describe('probationLength', () => {
  it('is floor(15 %) of the rows, at most 750', () => {
    expect(probationLength(20)).toBe(3);
    expect(probationLength(4033)).toBe(604); // floor(604.95)
    expect(probationLength(5000)).toBe(750);
    expect(probationLength(22695)).toBe(750);
  });
});

describe('scoring one window', () => {
  // In a window of width w, row i sits at -(last - i + 1)/w; its weight is
  // tanh(-2.5·position)/tanh(2.5), so the window's first row is worth exactly 1.
  it('gives 1 for an alarm on the window start', () => {
    expect(scoreWithAlarms([10])).toBe(1);
  });

  it('gives tanh(1.5)/tanh(2.5) for an alarm in the middle (position -3/5)', () => {
    expect(scoreWithAlarms([12])).toBeCloseTo(0.9174286804284079, 15); // 0.905148/0.986614
  });

  it('gives tanh(0.5)/tanh(2.5) for an alarm on the last row (position -1/5)', () => {
    expect(scoreWithAlarms([14])).toBeCloseTo(0.46838684390227814, 15); // 0.462117/0.986614
  });

  it('counts only the earliest alarm in a window', () => {
    expect(scoreWithAlarms([12, 13, 14])).toBeCloseTo(0.9174286804284079, 15);
    expect(scoreWithAlarms([14, 11])).toBeCloseTo(0.9771068409226045, 15); // tanh(2)/tanh(2.5)
  });

  it('costs fnWeight for a window without an alarm', () => {
    expect(scoreWithAlarms([])).toBe(-1);
    expect(scoreWithAlarms([], lowFn)).toBe(-2);
  });
});

describe('false positives', () => {
  it('cost the full fpWeight before any window', () => {
    // -1 for the missed window, -0.11 for the alarm on row 5.
    expect(scoreWithAlarms([5])).toBeCloseTo(-1.11, 15);
  });

  it('after a window cost fpWeight times the sigmoid of the distance past its end', () => {
    // Row 16 is |14 - 16|/(5 - 1) = 0.5 past the window: 0.11·tanh(-1.25) = -0.0933112.
    expect(scoreWithAlarms([10, 16])).toBeCloseTo(1 - 0.09331120039532642, 15);
  });

  it('are ignored in the probation period', () => {
    expect(scoreWithAlarms([0, 1, 2, 10])).toBe(1);
  });
});

describe('a window inside the probation period', () => {
  // 20 rows, window on rows 0..2 = the whole probation period: never scored, but an
  // alarm after it is still weighed by the distance past it (row 3: 1/(3 - 1) = 0.5).
  const early = labelledFile('f/b.csv', 20, [{ first: 0, last: 2 }]);
  const sweep = sweepFile(early, scores(20, { 3: 1 }), standard);

  it('is neither a miss nor a hit', () => {
    expect(sweep.windowCount).toBe(0);
    expect(sweep.points).toHaveLength(17);
  });

  it('still sets the weight of the false positives after it', () => {
    expect(scoreAtThreshold(sweep, standard, 0.5).score).toBeCloseTo(-0.09331120039532642, 15);
  });
});

describe('scoreAtThreshold', () => {
  it('treats a score equal to the threshold as an alarm and counts rows like NAB', () => {
    const tally = scoreAtThreshold(
      sweepFile(file, scores(20, { 11: 0.5, 5: 0.5 }), standard),
      standard,
      0.5,
    );
    expect(tally).toEqual({
      score: 0.9771068409226045 - 0.11,
      tp: 1,
      fp: 1,
      fn: 4,
      tn: 11,
      windows: 1,
      detected: 1,
    });
  });

  it('refuses scores that do not match the data rows', () => {
    expect(() => sweepFile(file, scores(19), standard)).toThrow('19 scores for 20 data rows');
  });
});
