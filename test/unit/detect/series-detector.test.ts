import { describe, expect, it } from 'vitest';
import { detectionSchema } from '../../../src/config/detection.js';
import { mulberry32 } from '../../../src/detect/prng.js';
import { SeriesDetector } from '../../../src/detect/series-detector.js';

const config = detectionSchema.parse({});

/** Sample i's timestamp: one sample every 5 minutes, as in NAB (288 a day). */
function at(i: number): number {
  return Date.UTC(2024, 0, 1) + i * 300_000;
}

/**
 * Seeded uniform noise in level ± 1. Bounded noise has no tail, so every onset on it
 * is a planted one and the expected onsets are exact.
 */
function noise(count: number, seed: number, level = 100): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => level + 2 * random() - 1);
}

/** A daily square wave (low at night, high from 08:00 to 18:00) with small noise. */
function daily(days: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: days * 288 }, (_, i) => {
    const minute = (i % 288) * 5;
    return (minute >= 480 && minute < 1080 ? 80 : 20) + random();
  });
}

/** Indices of the onsets: the series' decisions. */
function onsets(values: readonly number[], overrides = {}): number[] {
  const detector = new SeriesDetector(detectionSchema.parse(overrides));
  const out: number[] = [];
  values.forEach((value, i) => {
    if (detector.update(value, at(i)).onset) out.push(i);
  });
  return out;
}

/** The test blamed at each onset: the one with the largest score. */
function blamed(values: readonly number[]): string[] {
  const detector = new SeriesDetector(config);
  const out: string[] = [];
  values.forEach((value, i) => {
    const s = detector.update(value, at(i));
    if (s.onset)
      out.push(
        s.range >= s.shape && s.range >= s.seasonal
          ? 'range'
          : s.shape >= s.seasonal
            ? 'shape'
            : 'seasonal',
      );
  });
  return out;
}

describe('SeriesDetector', () => {
  it('judges nothing during warm-up: scores 0, no onset', () => {
    const detector = new SeriesDetector(config);
    const scores = [1000, 1, 1000].map((v, i) => detector.update(v, at(i)));
    expect(scores.map((s) => [s.score, s.onset])).toEqual([
      [0, false],
      [0, false],
      [0, false],
    ]);
    expect(detector.ready).toBe(false);
  });

  it('starts one anomaly at a spike in noise, on the spike itself', () => {
    const values = noise(3000, 1);
    values[2500] = 130;
    expect(onsets(values)).toEqual([2500]);
    expect(blamed(values)).toEqual(['range']);
  });

  it('starts one anomaly at a level shift, then takes the new level as normal', () => {
    const values = [...noise(2000, 2), ...noise(1000, 3, 120)];
    expect(onsets(values)).toEqual([2000]);
  });

  it('stays silent on noise, on a slow drift and on a constant series', () => {
    expect(onsets(noise(4000, 4))).toEqual([]);
    expect(onsets(noise(4000, 5).map((v, i) => v + i * 0.01))).toEqual([]);
    expect(onsets(Array.from({ length: 1000 }, () => 7))).toEqual([]);
  });

  it('starts an anomaly when a constant series first moves', () => {
    const values = Array.from({ length: 500 }, () => 1);
    values.push(0);
    expect(onsets(values)).toEqual([500]);
  });

  it('at one sample a second, takes one sample beyond the range for a blip and two for an onset', () => {
    const detector = new SeriesDetector(config);
    const values = noise(1000, 10);
    values[600] = 130; // one sample: a GC pause, a hiccup (it widens the range all the same)
    values[800] = 150; // two in a row beyond it: something happened
    values[801] = 151;
    const found: number[] = [];
    values.forEach((value, i) => {
      if (detector.update(value, Date.UTC(2024, 0, 1) + i * 1000).onset) found.push(i);
    });
    expect(found).toEqual([801]);
  });

  it('rests after an onset: a second spike within alarm_rest_samples starts nothing', () => {
    const values = noise(3000, 6);
    values[2400] = 130;
    values[2500] = 160;
    values[2700] = 190;
    expect(onsets(values)).toEqual([2400, 2700]);
    expect(onsets(values, { alarm_rest_samples: 50 })).toEqual([2400, 2500, 2700]);
  });

  it('starts an anomaly when the shape changes within the usual range', () => {
    // A slow wave, then the same wave three times as fast: no value is new, the shape is.
    const random = mulberry32(7);
    const wave = (i: number, period: number): number =>
      100 + Math.sin((2 * Math.PI * i) / period) + 0.1 * random();
    const values = Array.from({ length: 5000 }, (_, i) =>
      i >= 4000 && i < 4200 ? wave(i, 40) : wave(i, 120),
    );
    expect(onsets(values)).toEqual([4001]);
    expect(blamed(values)).toEqual(['shape']);
  });

  it('judges shape only once its calibration span is full: no burst on a short history', () => {
    // The same change of shape, early: with 1,000 samples the shape test has 166 blocks,
    // fewer than its 400-block calibration span, and stays silent; the range test does not.
    const random = mulberry32(7);
    const wave = (i: number, period: number): number =>
      100 + Math.sin((2 * Math.PI * i) / period) + 0.1 * random();
    const early = Array.from({ length: 1200 }, (_, i) =>
      i >= 800 && i < 1000 ? wave(i, 40) : wave(i, 120),
    );
    expect(onsets(early)).toEqual([]);
    // With a 100-block span it is full by then, and the change is an onset.
    expect(onsets(early, { novelty_calibration: 100 })).toEqual([803]);
  });

  it('starts an anomaly when a daily peak fails to come, judged against the days before', () => {
    const values = daily(10, 8);
    // Day 8's high stretch never comes: every value and every shape is an ordinary one.
    const start = 8 * 288 + 96;
    for (let i = start; i < start + 120; i += 1) values[i] = 20 + (values[i] as number) - 80;
    const found = onsets(values);
    expect(found).toHaveLength(1);
    expect(found[0]).toBeGreaterThanOrEqual(start);
    expect(found[0]).toBeLessThan(start + 30);
    expect(blamed(values)).toEqual(['seasonal']);
  });

  it('takes the seasonal test off where three periods do not fit its history', () => {
    const detector = new SeriesDetector(config);
    // One sample a second: a day is 14,400 blocks, more than the 10,240 kept.
    for (let i = 0; i < 20; i += 1) detector.update(1, Date.UTC(2024, 0, 1) + i * 1000);
    expect(detector.seasonalPeriod).toBeNull();
    const fiveMinutes = new SeriesDetector(config);
    for (let i = 0; i < 20; i += 1) fiveMinutes.update(1, at(i));
    expect(fiveMinutes.seasonalPeriod).toBe(48);
  });

  it('restores to the same scores and decisions', () => {
    const values = daily(6, 9);
    values[1600] = 140;
    const a = new SeriesDetector(config);
    values.slice(0, 1500).forEach((v, i) => a.update(v, at(i)));
    const b = new SeriesDetector(config);
    b.restore(JSON.parse(JSON.stringify(a.save())));
    values
      .slice(1500)
      .forEach((v, i) => expect(b.update(v, at(1500 + i))).toEqual(a.update(v, at(1500 + i))));
  });
});
