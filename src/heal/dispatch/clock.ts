/**
 * Time as the healer's policy sees it (cooldowns, backoff, circuits, scheduled retries).
 * Injected so tests can move it by hand; action timeouts use real timers because they
 * bound real processes and sockets.
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Unix milliseconds. */
  now(): number;
  /** Calls `callback` once after `ms`; the timer never keeps the process alive. */
  setTimeout(callback: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};
