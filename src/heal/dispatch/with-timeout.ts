/** Bounds an action step in time, whether or not the step honours its abort signal. */
import type { ActionPlan } from '../actions/action.js';
import { ActionTimeoutError } from '../errors.js';

/**
 * Runs `work` with a signal aborted after `timeoutMs`, and stops waiting for it then even
 * if it ignores the signal (a hung Docker API call), rejecting with ActionTimeoutError.
 * One promise and one timer, no race: it runs around every action's prepare step.
 * `cancel`, when it aborts (its alert resolved, the healer stopping), does the same at
 * once with its reason.
 */
export function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  plan: ActionPlan,
  cancel?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const onCancel = (): void => {
      clearTimeout(timer);
      controller.abort(cancel?.reason);
      reject(cancel?.reason as Error);
    };
    const timer = setTimeout(() => {
      // Built only when it happens: an Error's stack capture is not free on the hot path.
      const error = new ActionTimeoutError(plan.action, plan.targetKey, timeoutMs / 1000);
      cancel?.removeEventListener('abort', onCancel);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    if (cancel?.aborted) {
      onCancel();
      return;
    }
    cancel?.addEventListener('abort', onCancel, { once: true });
    const settled = (): void => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
    };
    let running: Promise<T>;
    try {
      running = work(controller.signal);
    } catch (error) {
      settled();
      reject(error);
      return;
    }
    running.then(
      (value) => {
        settled();
        resolve(value);
      },
      (error: unknown) => {
        settled();
        reject(error);
      },
    );
  });
}
