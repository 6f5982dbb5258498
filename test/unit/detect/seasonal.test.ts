import { describe, expect, it } from 'vitest';
import { detectionSchema } from '../../../src/config/detection.js';
import { mulberry32 } from '../../../src/detect/prng.js';
import { SeasonalProfile } from '../../../src/detect/seasonal-profile.js';
import { SeriesDetector } from '../../../src/detect/series-detector.js';

const config = detectionSchema.parse({});
const FIVE_MINUTES = 300_000;
const DAY = 288; // samples per day at 5 minutes; the detector is never told this
const START = Date.UTC(2024, 0, 1);
const at = (i: number) => START + i * FIVE_MINUTES;

/**
 * A daily cycle sampled every 5 minutes: a smooth day/night wave plus a busy plateau
 * with sharp edges (as daily traffic or a nightly job has), and bounded seeded noise.
 */
function daily(days: number, seed: number): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: days * DAY }, (_, i) => {
    const phase = (i % DAY) / DAY;
    const plateau = phase > 0.35 && phase < 0.7 ? 15 : 0;
    return 50 + 20 * Math.sin(2 * Math.PI * phase) + plateau + 2 * random() - 1;
  });
}

function run(
  values: readonly number[],
  settings = config,
): { alarms: number[]; detector: SeriesDetector } {
  const detector = new SeriesDetector(settings);
  const alarms: number[] = [];
  values.forEach((value, i) => {
    if (detector.update(value, at(i)).score > 1) alarms.push(i);
  });
  return { alarms, detector };
}

describe('seasonal detector', () => {
  it('finds a daily period causally and stays silent on a periodic series without change', () => {
    const { alarms, detector } = run(daily(14, 1));
    expect(detector.periodSeconds).toBe(86_400);
    // On day 0 the level detectors, which know no daily shape yet, may take the busy
    // plateau's edge for a shift; from then on nothing fires.
    expect(alarms.filter((i) => i >= DAY)).toEqual([]);
  });

  it('alarms when the middle of a day goes flat at the series’ ordinary mean level', () => {
    const values = daily(14, 2);
    const flatFrom = 10 * DAY + Math.round(0.3 * DAY);
    const flatTo = 10 * DAY + Math.round(0.8 * DAY);
    for (let i = flatFrom; i < flatTo; i += 1) values[i] = 57 + 0.2 * Math.sin(i);
    const { alarms } = run(values);
    const inside = alarms.filter((i) => i >= flatFrom && i < flatTo);
    expect(inside.length).toBeGreaterThan(0);
    // Early: within two hours of the flat stretch's start.
    expect((inside[0] as number) - flatFrom).toBeLessThan(24);
    expect(alarms.filter((i) => i >= DAY && i < flatFrom)).toEqual([]);
  });

  it('judges with a calibration window no longer than the scale window', () => {
    // Its warm-up is the shorter of the two windows, which a full calibration reaches.
    const values = daily(14, 2);
    const flatFrom = 10 * DAY + Math.round(0.3 * DAY);
    const flatTo = 10 * DAY + Math.round(0.8 * DAY);
    for (let i = flatFrom; i < flatTo; i += 1) values[i] = 57 + 0.2 * Math.sin(i);
    const { alarms } = run(values, detectionSchema.parse({ calibration_window: 500 }));
    expect(alarms.some((i) => i >= flatFrom && i < flatTo)).toBe(true);
  });

  it('alarms when the busy plateau of one day stays low (a daily peak that jumps down)', () => {
    const values = daily(14, 3);
    const day = 11 * DAY;
    for (let i = day + Math.round(0.35 * DAY) + 1; i < day + Math.round(0.7 * DAY); i += 1)
      values[i] = (values[i] as number) - 15;
    const { alarms } = run(values);
    expect(alarms.filter((i) => i >= DAY && i < day)).toEqual([]);
    expect(alarms.some((i) => i > day && i < day + DAY)).toBe(true);
  });

  it('confirms no period on noise or a random walk', () => {
    const random = mulberry32(4);
    const noise = new SeasonalProfile({
      periodsSeconds: [86_400, 604_800],
      maxBins: 288,
      history: 3,
      minStrength: 0.5,
    });
    const walk = new SeasonalProfile({
      periodsSeconds: [86_400, 604_800],
      maxBins: 288,
      history: 3,
      minStrength: 0.5,
    });
    let level = 0;
    for (let i = 0; i < 21 * DAY; i += 1) {
      level += random() - 0.5;
      noise.update(at(i), random());
      walk.update(at(i), level);
    }
    expect(noise.periodSeconds).toBeNull();
    expect(walk.periodSeconds).toBeNull();
  });

  it('places samples by timestamp, so irregular sampling and gaps keep the phase', () => {
    const random = mulberry32(5);
    const profile = new SeasonalProfile({
      periodsSeconds: [86_400],
      maxBins: 288,
      history: 3,
      minStrength: 0.5,
    });
    let t = START;
    let last = { low: Number.NaN, high: Number.NaN };
    while (t < START + 5.75 * 86_400_000) {
      // 5 minutes ± 1 minute between samples, and a six-hour gap on day 4.
      t += FIVE_MINUTES + (random() - 0.5) * 120_000;
      if (t > START + 4 * 86_400_000 && t < START + 4.25 * 86_400_000) continue;
      const phase = ((t - START) % 86_400_000) / 86_400_000;
      const value = phase < 0.5 ? 10 : 90;
      last = profile.update(t, value);
    }
    expect(profile.periodSeconds).toBe(86_400);
    // The last sample is at three quarters of a day, far from an edge: expected at 90.
    expect(last).toEqual({ low: 90, high: 90 });
  });

  it('decides once when the sampling is too sparse for every candidate period', () => {
    // A sample a day: a day is one bin and a week seven, fewer than a period needs.
    const profile = new SeasonalProfile({
      periodsSeconds: [86_400, 604_800],
      maxBins: 288,
      history: 3,
      minStrength: 0.5,
    });
    for (let day = 0; day < 1000; day += 1) profile.update(START + day * 86_400_000, day % 7);
    expect(profile.periodSeconds).toBeNull();
    const state = profile.save();
    expect(state.candidates).toEqual([]);
    // The interval was estimated from the first 15 gaps; the rest are not kept.
    expect(state.deltas).toHaveLength(15);
  });

  it('restores to the same scores', () => {
    const values = daily(12, 6);
    for (let i = 10 * DAY; i < 10 * DAY + 60; i += 1) values[i] = 50;
    const a = new SeriesDetector(config);
    values.slice(0, 9 * DAY).forEach((v, i) => a.update(v, at(i)));
    const b = new SeriesDetector(config);
    b.restore(JSON.parse(JSON.stringify(a.save())));
    values.slice(9 * DAY).forEach((v, j) => {
      const i = 9 * DAY + j;
      expect(b.update(v, at(i))).toEqual(a.update(v, at(i)));
    });
    expect(b.periodSeconds).toBe(86_400);
  });
});
