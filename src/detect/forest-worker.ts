/**
 * The worker thread that trains forests, so a refit (tens of milliseconds) never
 * delays a collection round. It receives a FitRequest and answers with a FitReply.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FOREST_WORKER_MARK, runFit, type FitReply, type FitRequest } from './forest-trainer.js';

// Only the thread WorkerForestTrainer starts answers: importing this file anywhere else
// (a test runner's own worker, say) must not hijack that thread's message port.
if (parentPort && workerData === FOREST_WORKER_MARK) {
  const port = parentPort;
  port.on('message', (request: FitRequest) => {
    const result = runFit(request);
    const buffer = request.values.buffer;
    const reply: FitReply = { result, buffer };
    // The trees' typed arrays are copied (they are small); the matrix goes back by transfer.
    port.postMessage(reply, [buffer]);
  });
}
