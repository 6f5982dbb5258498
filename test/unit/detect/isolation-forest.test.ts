import { IsolationForest as MlIsolationForest } from 'ml-isolation-forest';
import { describe, expect, it } from 'vitest';
import {
  averagePathLength,
  fitForest,
  normalisedScore,
  rawScore,
} from '../../../src/detect/isolation-forest.js';
import { mulberry32 } from '../../../src/detect/prng.js';

const options = { nEstimators: 100, subsampleSize: 256, contamination: 0.1, seed: 42 };

/** 1000 points of a 3-D Gaussian cluster, then 5 planted outliers at 6..10 standard deviations on every axis. */
function plantedData(): { rows: number[][]; outliers: number[] } {
  const random = mulberry32(17);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const rows = Array.from({ length: 1000 }, () => [normal(), normal(), normal()]);
  const outliers = [6, 7, 8, 9, 10].map((d, i) => {
    rows.push(i % 2 === 0 ? [d, d, -d] : [-d, d / 2, d]);
    return rows.length - 1;
  });
  return { rows, outliers };
}

function topIndices(scores: readonly number[], k: number): number[] {
  return scores
    .map((score, index) => ({ score, index }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((entry) => entry.index)
    .sort((a, b) => a - b);
}

describe('averagePathLength', () => {
  it('is the paper c(n) with Euler constant inside the harmonic number', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // c(256) = 2 H(255) - 2·255/256, H(255) ≈ ln 255 + γ.
    expect(averagePathLength(256)).toBeCloseTo(2 * (Math.log(255) + 0.5772156649) - 510 / 256, 9);
  });
});

describe('fitForest', () => {
  const { rows, outliers } = plantedData();
  const columns = ['a', 'b', 'c'];

  it('separates the planted outliers: they score highest and above the threshold', () => {
    const model = fitForest(rows, columns, options);
    const scores = rows.map((row) => rawScore(model, row));
    expect(topIndices(scores, outliers.length)).toEqual(outliers);
    for (const index of outliers)
      expect(normalisedScore(model, rows[index] as number[])).toBeGreaterThan(1);
    expect(model.subsample).toBe(256);
    expect(model.trees).toHaveLength(100);
  });

  it('sets the threshold so that the contamination share of training points is above it', () => {
    const model = fitForest(rows, columns, options);
    const above = rows.filter((row) => normalisedScore(model, row) > 1).length;
    expect(above / rows.length).toBeCloseTo(0.1, 2);
  });

  it('is reproducible from its seed and differs with another seed', () => {
    expect(fitForest(rows, columns, options)).toEqual(fitForest(rows, columns, options));
    expect(fitForest(rows, columns, { ...options, seed: 43 }).trees[0]).not.toEqual(
      fitForest(rows, columns, options).trees[0],
    );
  });

  it('ranks the same points most anomalous as ml-isolation-forest (an independent implementation)', () => {
    const model = fitForest(rows, columns, options);
    const ours = topIndices(
      rows.map((row) => rawScore(model, row)),
      outliers.length,
    );
    const reference = new MlIsolationForest({ nEstimators: 100 });
    reference.train(rows);
    expect(topIndices(reference.predict(rows), outliers.length)).toEqual(ours);
  });

  it('leaves a constant feature alone and splits on the others', () => {
    const flat = rows.map((row) => [row[0] as number, 5]);
    const model = fitForest(flat, ['a', 'flat'], options);
    for (const tree of model.trees) expect(tree.feature.every((f) => f !== 1)).toBe(true);
  });
});
