/**
 * Everything bench:live starts registers how to undo it here; cleanup runs the undo steps
 * newest first, once, on normal exit, on error and on SIGINT/SIGTERM (each step bounded).
 */
import { setTimeout as sleep } from 'node:timers/promises';

type Step = { what: string; undo: () => Promise<void> };

const STEP_TIMEOUT_MS = 30_000;
const steps: Step[] = [];
let running: Promise<void> | undefined;
let interrupted = false;

/** Whether a signal started the cleanup (so what then fails is not worth reporting). */
export const wasInterrupted = () => interrupted;

/** Registers an undo step; returns a function that runs it now (and unregisters it). */
export function onCleanup(what: string, undo: () => Promise<void>): () => Promise<void> {
  const step = { what, undo };
  steps.push(step);
  return async () => {
    const index = steps.indexOf(step);
    if (index === -1) return;
    steps.splice(index, 1);
    await runStep(step);
  };
}

async function runStep(step: Step): Promise<void> {
  try {
    const done = await Promise.race([
      step.undo().then(() => true),
      sleep(STEP_TIMEOUT_MS, false, { ref: false }),
    ]);
    if (!done) console.error(`cleanup: ${step.what} did not finish within ${STEP_TIMEOUT_MS} ms`);
  } catch (error) {
    console.error(`cleanup: ${step.what} failed: ${(error as Error).message}`);
  }
}

/** Runs every registered step, newest first. Idempotent. */
export function cleanup(): Promise<void> {
  running ??= (async () => {
    while (steps.length > 0) await runStep(steps.pop() as Step);
  })();
  return running;
}

/** On SIGINT/SIGTERM: clean up, then exit 130/143. */
export function cleanupOnSignals(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping the agent, workload and faults ...`);
      void cleanup().finally(() => process.exit(code));
    });
  }
}
