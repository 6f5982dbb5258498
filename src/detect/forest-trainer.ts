/**
 * Who trains the forest. The live agent uses a worker thread; the backtest (and tests
 * that compare with it) train in line, so that results are reproducible row for row.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import {
  fitForestMatrix,
  packForest,
  type ForestModel,
  type ForestOptions,
} from './isolation-forest.js';

/** Passed as workerData, so the worker script knows it was started for this. */
export const FOREST_WORKER_MARK = 'aegis-forest-worker';

/** The training rows as a column-major matrix (see TrainingRows.matrix), posted to the worker by transfer. */
export interface FitRequest {
  /** values[c * rows + r]: column c of row r, rows oldest first. */
  values: Float64Array<ArrayBuffer>;
  rows: number;
  columns: string[];
  options: ForestOptions;
}

export interface FitResult {
  model: ForestModel;
  duration_seconds: number;
  finished_at_ms: number;
  samples: number;
}

/** Trains one forest and times it. */
export function runFit(request: FitRequest): FitResult {
  const started = performance.now();
  const model = packForest(
    fitForestMatrix(request.values, request.rows, request.columns, request.options),
  );
  return {
    model,
    duration_seconds: (performance.now() - started) / 1000,
    finished_at_ms: Date.now(),
    samples: request.rows,
  };
}

/** What the worker answers: the fit, and the request's matrix buffer given back for reuse. */
export interface FitReply {
  result: FitResult;
  buffer: ArrayBuffer;
}

export interface ForestTrainer {
  /** True while a fit runs: a request now would be ignored, so the caller need not build one. */
  readonly busy: boolean;
  /** Starts a fit; ignored while one is still running (the next cadence catches up). */
  fit(request: FitRequest): void;
  /** The buffer of an earlier request's matrix, handed back for the next one to fill; else undefined. */
  takeBuffer(): ArrayBuffer | undefined;
  /** The newest finished fit not yet taken. */
  take(): FitResult | undefined;
  close(): Promise<void>;
}

/** Keeps the newest finished fit until it is taken: what both trainers hand out. */
abstract class FinishedFit {
  #done: FitResult | undefined;

  protected finished(result: FitResult): void {
    this.#done = result;
  }

  take(): FitResult | undefined {
    const done = this.#done;
    this.#done = undefined;
    return done;
  }
}

/** Trains at once, in the caller's thread: deterministic, for the backtest and tests. */
export class InlineForestTrainer extends FinishedFit implements ForestTrainer {
  readonly busy = false;
  #buffer: ArrayBuffer | undefined;

  fit(request: FitRequest): void {
    this.finished(runFit(request));
    this.#buffer = request.values.buffer;
  }

  takeBuffer(): ArrayBuffer | undefined {
    const buffer = this.#buffer;
    this.#buffer = undefined;
    return buffer;
  }

  async close(): Promise<void> {}
}

/**
 * Trains in a worker thread. When the compiled worker script is absent (the sources run
 * under a TypeScript loader, as in unit tests), it trains on the main thread in a later
 * macrotask instead: still never inside observe().
 */
export class WorkerForestTrainer extends FinishedFit implements ForestTrainer {
  readonly #logger: Logger;
  #worker: Worker | undefined;
  #busy = false;
  #closed = false;
  #buffer: ArrayBuffer | undefined;

  constructor(logger: Logger) {
    super();
    this.#logger = logger;
  }

  get busy(): boolean {
    return this.#busy;
  }

  takeBuffer(): ArrayBuffer | undefined {
    const buffer = this.#buffer;
    this.#buffer = undefined;
    return buffer;
  }

  fit(request: FitRequest): void {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    const worker = this.#startWorker();
    if (worker) {
      // The matrix's buffer moves to the worker: no copy on this thread.
      worker.postMessage(request, [request.values.buffer]);
      return;
    }
    setImmediate(() => {
      this.#finish({ result: runFit(request), buffer: request.values.buffer });
    });
  }

  #finish({ result, buffer }: FitReply): void {
    this.#busy = false;
    this.#buffer = buffer;
    if (!this.#closed) this.finished(result);
  }

  #startWorker(): Worker | undefined {
    if (this.#worker) return this.#worker;
    const script = fileURLToPath(new URL('./forest-worker.js', import.meta.url));
    if (!existsSync(script)) return undefined;
    const worker = new Worker(script, { workerData: FOREST_WORKER_MARK });
    worker.unref();
    worker.on('message', (reply: FitReply) => this.#finish(reply));
    worker.on('error', (error) => {
      this.#logger.error(
        { event: 'isolation_forest_worker_failed', err: error },
        'forest worker failed',
      );
      this.#busy = false;
      this.#worker = undefined;
    });
    this.#worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }
}
