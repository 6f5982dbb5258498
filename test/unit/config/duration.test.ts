import { describe, expect, it } from 'vitest';
import { duration, formatDuration, parseDurationSeconds } from '../../../src/config/duration.js';

describe('parseDurationSeconds', () => {
  it.each([
    ['5s', 5],
    ['500ms', 0.5],
    ['1m30s', 90],
    ['2h', 7200],
    ['1d', 86_400],
    ['1h1m1s1ms', 3661.001],
    ['5', 5],
    ['0.25', 0.25],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', 'fast', '5 s', '1s1m', '-5s', '5x', '1.5s'])('rejects %j', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [90, '1m30s'],
    [0.5, '500ms'],
    [120, '2m'],
    [0, '0s'],
  ])('writes %d seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('duration schema', () => {
  it('accepts numbers and strings and yields seconds', () => {
    expect(duration().parse('2m')).toBe(120);
    expect(duration().parse(3)).toBe(3);
  });

  it('names the bounds it enforces', () => {
    const result = duration({ min: 1, max: 60 }).safeParse('2m');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      'expected a duration between 1s and 1m, got "2m"',
    );
  });

  it('says what a duration looks like when given something else', () => {
    const result = duration().safeParse('soon');
    expect(result.error?.issues[0]?.message).toBe(
      'expected a duration (like 5s, 1m30s or a number of seconds), got "soon"',
    );
  });
});
