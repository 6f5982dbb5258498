/** Waiting for an effect to show: ask until it is there, the deadline passes or the wait is aborted. */
import { setTimeout as sleep } from 'node:timers/promises';
import { VerificationError } from '../errors.js';

/**
 * Calls `check` until it returns undefined (the effect is seen). Otherwise it returns
 * what it saw, which becomes the VerificationError's message at the deadline.
 */
export async function pollUntil(
  check: () => Promise<string | undefined>,
  deadlineMs: number,
  signal: AbortSignal,
  intervalMs = 250,
): Promise<void> {
  for (;;) {
    signal.throwIfAborted();
    const notYet = await check();
    if (notYet === undefined) return;
    const left = deadlineMs - Date.now();
    if (left <= 0) throw new VerificationError(notYet);
    await sleep(Math.min(intervalMs, left), undefined, { signal });
  }
}
