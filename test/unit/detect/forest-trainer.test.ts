import { describe, expect, it } from 'vitest';
import {
  InlineForestTrainer,
  WorkerForestTrainer,
  type FitResult,
} from '../../../src/detect/forest-trainer.js';
import { silentLogger } from '../../../src/logger.js';
import { TrainingRows } from '../../../src/detect/training-rows.js';

const options = { nEstimators: 10, subsampleSize: 32, contamination: 0.01, seed: 3 };

function rowsOf(count: number, columns: number, store = new TrainingRows(4096)): TrainingRows {
  for (let r = 0; r < count; r += 1)
    store.push(new Map(Array.from({ length: columns }, (_, c) => [`s${c}`, Math.sin(r + c)])));
  return store;
}

async function fitted(trainer: WorkerForestTrainer): Promise<FitResult> {
  for (;;) {
    const result = trainer.take();
    if (result) return result;
    await new Promise((done) => setImmediate(done));
  }
}

describe('WorkerForestTrainer', () => {
  it('fits the rows held when asked, copying them over several turns of the event loop', async () => {
    // 2,000 columns of 2,000 rows: 32 MB, far more than one 1 ms slice copies.
    const store = rowsOf(2_000, 2_000);
    const trainer = new WorkerForestTrainer(silentLogger());
    let turns = 0;
    const counting = setInterval(() => (turns += 1), 0);
    trainer.fit(store, options);
    expect(trainer.busy).toBe(true);
    // Rows pushed while the copy runs are not in this fit.
    rowsOf(500, 2_000, store);
    const result = await fitted(trainer);
    clearInterval(counting);
    expect(result.samples).toBe(2_000);
    expect(turns).toBeGreaterThan(1);
    expect(trainer.busy).toBe(false);
    await trainer.close();
  });

  it('grows the same forest as the inline trainer from the same rows', async () => {
    const store = rowsOf(300, 5);
    const inline = new InlineForestTrainer();
    inline.fit(store, options);
    const worker = new WorkerForestTrainer(silentLogger());
    worker.fit(store, options);
    expect((await fitted(worker)).model).toEqual(inline.take()?.model);
    await worker.close();
  });
});
