import { describe, expect, it } from 'vitest';
import { benchmark } from '../../../../bench/nab/benchmark.js';
import { normalisedScore, perfectScore } from '../../../../bench/nab/normalise.js';
import { PROFILES } from '../../../../bench/nab/profiles.js';
import { labelledFile, scores } from './fixtures.js';

describe('normalisedScore', () => {
  it('maps the null score to 0 and the perfect one to 100', () => {
    expect(normalisedScore(-3, -3, 3)).toBe(0);
    expect(normalisedScore(3, -3, 3)).toBe(100);
    expect(normalisedScore(0, -3, 3)).toBe(50);
    expect(normalisedScore(-4.5, -3, 3)).toBe(-25);
  });
});

describe('perfectScore', () => {
  it('is tpWeight per labelled window', () => {
    const files = [
      labelledFile('f/a.csv', 20, [{ first: 10, last: 14 }]),
      labelledFile('f/b.csv', 40, [
        { first: 10, last: 14 },
        { first: 20, last: 24 },
      ]),
    ];
    expect(perfectScore(files, PROFILES[0]!.costs)).toBe(3);
  });
});

describe('benchmark', () => {
  // One 100-row file (probation: rows 0..14), window on rows 60..64, an alarm (1) on
  // row 62 and the rest at 0. Best threshold 1: tanh(1.5)/tanh(2.5) = 0.9174287 for the
  // window, nothing else. The null detector (0.5 everywhere) does best never alarming,
  // -fnWeight for the window: alarming everywhere would cost 45·0.11 before the window.
  const files = [labelledFile('f/a.csv', 100, [{ first: 60, last: 64 }])];
  const [standard, lowFp, lowFn] = benchmark(files, new Map([['f/a.csv', scores(100, { 62: 1 })]]));

  it('normalises with the null detector and one TP per window', () => {
    expect(standard!.threshold).toBe(1);
    expect(standard!.nullScore).toBe(-1);
    expect(standard!.perfectScore).toBe(1);
    // 100·(0.9174287 + 1)/(1 + 1)
    expect(standard!.normalised).toBeCloseTo(95.8714340214204, 12);
    expect(lowFp!.normalised).toBeCloseTo(95.8714340214204, 12);
    // 100·(0.9174287 + 2)/(1 + 2)
    expect(lowFn!.nullScore).toBe(-2);
    expect(lowFn!.normalised).toBeCloseTo(97.24762268094692, 12);
  });

  it('scores a detector that never alarms 0', () => {
    const [quiet] = benchmark(files, new Map([['f/a.csv', scores(100)]]));
    expect(quiet!.normalised).toBe(0);
  });
});
