/** Bounds an action step in time, whether or not the step honours its abort signal. */
import type { ActionPlan } from '../actions/action.js';
import { ActionTimeoutError } from '../errors.js';

/**
 * Runs `work` with a signal aborted after `timeoutMs`, and stops waiting for it then even
 * if it ignores the signal (a hung Docker API call), rejecting with ActionTimeoutError.
 * One promise and one timer, no race: it runs around every action's prepare step.
 */
export function withTimeout<T>(
  work: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  plan: ActionPlan,
  /** Aborts the work early (the healer stopping), rejecting with its reason. */
  parent?: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const onParentAbort = (): void => {
      clearTimeout(timer);
      controller.abort(parent?.reason);
      reject(parent?.reason);
    };
    parent?.addEventListener('abort', onParentAbort, { once: true });
    const timer = setTimeout(() => {
      parent?.removeEventListener('abort', onParentAbort);
      // Built only when it happens: an Error's stack capture is not free on the hot path.
      const error = new ActionTimeoutError(plan.action, plan.targetKey, timeoutMs / 1000);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
    let running: Promise<T>;
    try {
      running = work(controller.signal);
    } catch (error) {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
      reject(error);
      return;
    }
    running.then(
      (value) => {
        clearTimeout(timer);
        parent?.removeEventListener('abort', onParentAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        parent?.removeEventListener('abort', onParentAbort);
        reject(error);
      },
    );
  });
}
