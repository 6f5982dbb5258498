import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../../bench/nab/profiles.js';
import { sweepFile } from '../../../../bench/nab/scorer.js';
import { optimizeThreshold, thresholdScores } from '../../../../bench/nab/sweeper.js';
import { labelledFile, scores } from './fixtures.js';

const standard = PROFILES[0]!.costs; // TP 1, FP 0.11, FN 1

// Two 20-row files (probation: rows 0..2). A has a window on rows 10..14, B none.
// A: 0.8 on row 12 (in the window, worth tanh(1.5)/tanh(2.5) = 0.9174287), 0.7 on row 13
// (later in the same window: adds nothing), 0.6 on row 6 (before the window: -0.11).
// B: 0.9 on row 8 and 0.5 on row 15 (no window: -0.11 each).
const a = sweepFile(
  labelledFile('f/a.csv', 20, [{ first: 10, last: 14 }]),
  scores(20, { 12: 0.8, 13: 0.7, 6: 0.6 }),
  standard,
);
const b = sweepFile(labelledFile('f/b.csv', 20), scores(20, { 8: 0.9, 15: 0.5 }), standard);
const inWindow = 0.9174286804284079;

describe('thresholdScores', () => {
  it('walks every distinct score of both files, highest first, from 1.1 (no alarm)', () => {
    const sweep = thresholdScores([a, b], standard);
    expect(sweep.map((s) => s.threshold)).toEqual([1.1, 0.9, 0.8, 0.7, 0.6, 0.5, 0]);
    const expected = [
      -1, // the window is missed
      -1.11, // + B row 8
      -0.11 + inWindow, // + A row 12 replaces the miss
      -0.11 + inWindow, // + A row 13: not the window's first alarm
      -0.22 + inWindow, // + A row 6
      -0.33 + inWindow, // + B row 15
    ];
    expected.forEach((score, i) => expect(sweep[i]!.score).toBeCloseTo(score, 14));
    // At 0 every scored row alarms: the window's first row (worth 1), A rows 3..9 before
    // the window (7·-0.11), A rows 15..19 after it (0.11·tanh(-2.5·k/4) for k = 1..5),
    // and all 17 scored rows of B (17·-0.11).
    const after = [1, 2, 3, 4, 5].reduce((sum, k) => sum + 0.11 * Math.tanh((-2.5 * k) / 4), 0);
    expect(sweep[6]!.score).toBeCloseTo(1 - 0.11 * 7 + after - 0.11 * 17, 14);
  });
});

describe('optimizeThreshold', () => {
  it('picks the best threshold over both files, the highest of equal scores', () => {
    // 0.8 and 0.7 tie; NAB's stable sort keeps the higher threshold first.
    const best = optimizeThreshold([a, b], standard);
    expect(best.threshold).toBe(0.8);
    expect(best.score).toBeCloseTo(0.8074286804284079, 14);
  });

  it('keeps 1.1 when no alarm beats missing every window', () => {
    const quiet = sweepFile(labelledFile('f/b.csv', 20), scores(20, { 8: 0.9 }), standard);
    expect(optimizeThreshold([quiet], standard)).toEqual({ threshold: 1.1, score: 0 });
  });
});
