import { describe, expect, it } from 'vitest';
import { detectionSchema } from '../../../src/config/detection.js';
import { mulberry32 } from '../../../src/detect/prng.js';
import { SeriesDetector } from '../../../src/detect/series-detector.js';

const config = detectionSchema.parse({});

/** Sample i's timestamp: one sample every 5 minutes, as in NAB. */
function at(i: number): number {
  return Date.UTC(2024, 0, 1) + i * 300_000;
}

/**
 * Seeded uniform noise in level ± 1. Bounded noise has no tail beyond 1.8 standard
 * deviations, so every alarm on it is a planted one and the expected alarms are exact.
 */
function noise(count: number, seed: number, level = 100): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => level + 2 * random() - 1);
}

function gaussian(count: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from(
    { length: count },
    () => 100 + Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()),
  );
}

/** Indices whose series score is above 1. */
function alarms(values: readonly number[]): number[] {
  const detector = new SeriesDetector(config);
  const out: number[] = [];
  values.forEach((value, i) => {
    if (detector.update(value, at(i)).score > 1) out.push(i);
  });
  return out;
}

describe('SeriesDetector', () => {
  it('stays silent during warm-up and scores 0 there', () => {
    const detector = new SeriesDetector(config);
    const scores = [1000, 1, 1000].map((v, i) => detector.update(v, at(i)));
    expect(scores.map((s) => s.score)).toEqual([0, 0, 0]);
    expect(detector.ready).toBe(false);
  });

  it('fires once at a spike in noise', () => {
    const values = noise(3000, 1);
    values[2500] = 130;
    expect(alarms(values)).toEqual([2500]);
  });

  it('fires at a level shift, then takes the new level as normal', () => {
    const values = [...noise(2000, 2), ...noise(1000, 3, 120)];
    expect(alarms(values)).toEqual([2000]);
  });

  it('stays silent on a slow drift', () => {
    const values = noise(4000, 4).map((v, i) => v + i * 0.01);
    expect(alarms(values)).toEqual([]);
  });

  it('stays silent on a constant series and fires when it first moves', () => {
    const values = Array.from({ length: 500 }, () => 1);
    expect(alarms(values)).toEqual([]);
    values.push(0);
    expect(alarms(values)).toEqual([500]);
  });

  it('alarms on few samples of Gaussian noise (its 3-sigma tail), fewer than 0.3%', () => {
    expect(alarms(gaussian(20_000, 8)).length).toBeLessThan(0.003 * 20_000);
  });

  it('calibrates itself on a heavy-tailed series instead of firing on every tail value', () => {
    const random = mulberry32(9);
    // Student-t-like tails: a Gaussian divided by a random scale.
    const values = Array.from(
      { length: 5000 },
      () => 100 + (random() - 0.5) / Math.max(0.05, random()),
    );
    expect(alarms(values).length).toBeLessThan(0.005 * values.length);
  });

  it('restores to the same scores', () => {
    const values = noise(3000, 6);
    values[2600] = 140;
    const a = new SeriesDetector(config);
    values.slice(0, 2000).forEach((v, i) => a.update(v, at(i)));
    const b = new SeriesDetector(config);
    b.restore(JSON.parse(JSON.stringify(a.save())));
    values
      .slice(2000)
      .forEach((v, i) => expect(b.update(v, at(2000 + i))).toEqual(a.update(v, at(2000 + i))));
  });
});
