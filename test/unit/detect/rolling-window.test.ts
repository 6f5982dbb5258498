import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/detect/prng.js';
import { RollingMoments, RollingQuantile } from '../../../src/detect/rolling-window.js';

describe('RollingQuantile', () => {
  it.each([0.5, 0.9, 0.995, 0])('matches a sorted copy of the window for q=%d', (q) => {
    const random = mulberry32(3);
    const window = new RollingQuantile(37, q);
    const values: number[] = [];
    for (let i = 0; i < 500; i += 1) {
      // Rounded values, so that ties between heap sides are exercised.
      const value = Math.round(random() * 20);
      window.push(value);
      values.push(value);
      const current = values.slice(-37).sort((a, b) => a - b);
      expect(window.value()).toBe(current[Math.floor(q * (current.length - 1))]);
    }
    expect(window.values()).toEqual(values.slice(-37));
  });
});

describe('RollingMoments', () => {
  it('tracks mean and sample standard deviation of the window, even at a large offset', () => {
    const moments = new RollingMoments(4);
    for (const value of [1e12 + 1, 1e12 + 2, 1e12 + 3, 1e12 + 4, 1e12 + 5]) moments.push(value);
    expect(moments.mean()).toBe(1e12 + 3.5);
    expect(moments.std()).toBeCloseTo(Math.sqrt(5 / 3), 9);
  });

  it('restores to bit-identical figures', () => {
    const a = new RollingMoments(10);
    const random = mulberry32(5);
    for (let i = 0; i < 100; i += 1) a.push(random());
    const b = new RollingMoments(10);
    b.restore(a.save());
    expect(b.std()).toBe(a.std());
    expect(b.mean()).toBe(a.mean());
  });
});
