/** Verification by a URL: the rule's `probe_url` must answer 2xx before the deadline. */
import { pollUntil } from './poll.js';

export function waitForProbe(url: string, deadlineMs: number, signal: AbortSignal): Promise<void> {
  return pollUntil(
    async () => {
      try {
        const response = await fetch(url, {
          signal: AbortSignal.any([
            signal,
            AbortSignal.timeout(Math.max(100, deadlineMs - Date.now())),
          ]),
        });
        await response.body?.cancel();
        return response.ok ? undefined : `probe ${url} answered ${response.status}`;
      } catch (error) {
        signal.throwIfAborted();
        return `probe ${url} failed: ${(error as Error).message}`;
      }
    },
    deadlineMs,
    signal,
  );
}
