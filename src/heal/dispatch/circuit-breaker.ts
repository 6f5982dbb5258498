/**
 * A per-target circuit: after `threshold` consecutive failed attempts the healer stops
 * touching the target for `openMs`, so a human is paged instead of a restart loop. When
 * that time is up one trial attempt is allowed: success closes the circuit, failure
 * opens it again at once.
 */
export interface CircuitSettings {
  threshold: number;
  openMs: number;
}

export interface CircuitHistory {
  consecutive_failures: number;
  /** Unix ms until which the circuit is open, 0 when it never opened or closed again. */
  circuit_open_until_ms: number;
}

export function isOpen(history: CircuitHistory, nowMs: number): boolean {
  return history.circuit_open_until_ms > nowMs;
}

/** The history after an attempt's outcome; `opened` tells whether this outcome opened the circuit. */
export function recordOutcome<T extends CircuitHistory>(
  history: T,
  success: boolean,
  nowMs: number,
  settings: CircuitSettings,
): { history: T; opened: boolean } {
  if (success)
    return {
      history: { ...history, consecutive_failures: 0, circuit_open_until_ms: 0 },
      opened: false,
    };
  const failures = history.consecutive_failures + 1;
  const opened = failures >= settings.threshold;
  return {
    history: {
      ...history,
      consecutive_failures: failures,
      circuit_open_until_ms: opened ? nowMs + settings.openMs : history.circuit_open_until_ms,
    },
    opened,
  };
}
