import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  nextAttemptAt,
  recordAttempt,
} from '../../../../src/heal/dispatch/backoff.js';
import { isOpen, recordOutcome } from '../../../../src/heal/dispatch/circuit-breaker.js';

const settings = { initialMs: 10_000, maxMs: 300_000, resetMs: 600_000 };

describe('backoff', () => {
  it('is 0, then 10 s doubling to 5 min', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 40].map((n) => backoffDelayMs(n, settings) / 1000)).toEqual([
      0, 10, 20, 40, 80, 160, 300, 300, 300,
    ]);
  });

  it('counts attempts and forgets them after 10 min alone', () => {
    let history = { backoff_attempts: 0, last_attempt_ms: 0 };
    expect(nextAttemptAt(history, 1_000, settings)).toBe(1_000);
    history = recordAttempt(history, 1_000, settings);
    history = recordAttempt(history, 11_000, settings);
    expect(history).toEqual({ backoff_attempts: 2, last_attempt_ms: 11_000 });
    expect(nextAttemptAt(history, 12_000, settings)).toBe(31_000);
    expect(nextAttemptAt(history, 11_000 + 600_000, settings)).toBe(611_000);
    expect(recordAttempt(history, 11_000 + 600_000, settings).backoff_attempts).toBe(1);
  });
});

describe('circuit', () => {
  const circuit = { threshold: 3, openMs: 1_800_000 };
  it('opens at the threshold, reopens on a failed trial, closes on success', () => {
    let history = { consecutive_failures: 0, circuit_open_until_ms: 0 };
    for (const now of [1, 2]) {
      const outcome = recordOutcome(history, false, now, circuit);
      expect(outcome.opened).toBe(false);
      history = outcome.history;
    }
    const third = recordOutcome(history, false, 3, circuit);
    expect(third).toEqual({
      history: { consecutive_failures: 3, circuit_open_until_ms: 1_800_003 },
      opened: true,
    });
    expect(isOpen(third.history, 1_800_002)).toBe(true);
    expect(isOpen(third.history, 1_800_003)).toBe(false);
    const trial = recordOutcome(third.history, false, 1_800_004, circuit);
    expect(trial).toEqual({
      history: { consecutive_failures: 4, circuit_open_until_ms: 3_600_004 },
      opened: true,
    });
    expect(recordOutcome(trial.history, true, 3_600_005, circuit)).toEqual({
      history: { consecutive_failures: 0, circuit_open_until_ms: 0 },
      opened: false,
    });
  });
});
