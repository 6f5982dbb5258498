import { afterEach, describe, expect, it } from 'vitest';
import { PeriodicTask } from '../../../src/collect/periodic-task.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let task: PeriodicTask | undefined;
afterEach(() => task?.stop());

/** Milliseconds since `start` of each call. */
function recorder(): { calls: number[]; run: () => void; begin: () => void } {
  const calls: number[] = [];
  let start = 0;
  return {
    calls,
    run: () => calls.push(performance.now() - start),
    begin: () => {
      start = performance.now();
    },
  };
}

describe('PeriodicTask', () => {
  it('first runs at its phase, then once per interval on a fixed cadence', async () => {
    const { calls, run, begin } = recorder();
    task = new PeriodicTask(run, 100, 50);
    begin();
    task.start();
    await sleep(380);
    task.stop();
    expect(calls).toHaveLength(4);
    calls.forEach((at, index) => expect(Math.abs(at - (50 + index * 100))).toBeLessThan(40));
  });

  it('skips the slots a busy process missed instead of running them in a burst', async () => {
    const { calls, run, begin } = recorder();
    task = new PeriodicTask(run, 50, 0);
    begin();
    task.start();
    await sleep(10);
    const until = performance.now() + 180; // the event loop held for more than three slots
    while (performance.now() < until);
    await sleep(60);
    task.stop();
    // The first call, one late call after the stall, and at most two on time after it.
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeLessThanOrEqual(4);
    expect(calls[1]! - calls[0]!).toBeGreaterThan(150);
  });

  it('stops calling once stopped', async () => {
    const { calls, run } = recorder();
    task = new PeriodicTask(run, 20, 0);
    task.start();
    await sleep(50);
    task.stop();
    const count = calls.length;
    await sleep(80);
    expect(calls).toHaveLength(count);
  });
});
