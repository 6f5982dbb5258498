/**
 * Retry delays like the kubelet's crash-loop backoff: the first attempt on a target runs
 * at once, each further one waits `initial` doubled per recent attempt, up to `max`, and
 * a target left alone for `reset` starts over.
 */
export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
  resetMs: number;
}

/** What backoff needs to know about a target's past attempts. */
export interface AttemptHistory {
  /** Attempts since the backoff last reset. */
  backoff_attempts: number;
  /** Unix ms the last attempt ended (its start while it runs), 0 when never. */
  last_attempt_ms: number;
}

/** Attempts that still count: none once the target has been left alone for `resetMs`. */
function recentAttempts(history: AttemptHistory, nowMs: number, settings: BackoffSettings): number {
  if (history.last_attempt_ms === 0) return 0;
  return nowMs - history.last_attempt_ms >= settings.resetMs ? 0 : history.backoff_attempts;
}

/** Delay owed after `attempts` recent attempts: 0, initial, 2×initial, ... capped at max. */
export function backoffDelayMs(attempts: number, settings: BackoffSettings): number {
  if (attempts <= 0) return 0;
  // 2 ** 30 already exceeds any cap; clamping keeps the product finite.
  return Math.min(settings.initialMs * 2 ** Math.min(attempts - 1, 30), settings.maxMs);
}

/** Unix ms from which the next attempt may run. */
export function nextAttemptAt(
  history: AttemptHistory,
  nowMs: number,
  settings: BackoffSettings,
): number {
  const attempts = recentAttempts(history, nowMs, settings);
  return attempts === 0 ? nowMs : history.last_attempt_ms + backoffDelayMs(attempts, settings);
}

/** The history after an attempt starting at `nowMs`. */
export function recordAttempt<T extends AttemptHistory>(
  history: T,
  nowMs: number,
  settings: BackoffSettings,
): T {
  return {
    ...history,
    backoff_attempts: recentAttempts(history, nowMs, settings) + 1,
    last_attempt_ms: nowMs,
  };
}
