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
import type { TrainingRows } from './training-rows.js';

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
  /** True while a fit is being prepared or runs: a request now is ignored. */
  readonly busy: boolean;
  /**
   * Starts a fit on the rows held now; ignored while one is still busy (the next
   * cadence catches up). Rows pushed afterwards are not in it.
   */
  fit(rows: TrainingRows, options: ForestOptions): void;
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

  fit(rows: TrainingRows, options: ForestOptions): void {
    const request = { ...rows.matrix(this.#buffer), options };
    this.finished(runFit(request));
    this.#buffer = request.values.buffer;
  }

  async close(): Promise<void> {}
}

/** Main-thread time a matrix copy may take before it yields to the event loop. */
const COPY_SLICE_MS = 1;

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

  /**
   * Copies the matrix out of the rings a slice of COPY_SLICE_MS at a time, yielding to
   * the event loop between slices (16 MB at 1,000 series would block a round for
   * milliseconds, and a fresh buffer's first touch for tens), then moves it to the worker.
   */
  fit(rows: TrainingRows, options: ForestOptions): void {
    if (this.#busy || this.#closed) return;
    this.#busy = true;
    const slices = rows.matrixSlices(this.#buffer);
    this.#buffer = undefined;
    const step = (): void => {
      if (this.#closed) {
        slices.return(undefined as never);
        this.#busy = false;
        return;
      }
      const started = performance.now();
      for (;;) {
        const next = slices.next();
        if (next.done) {
          this.#post({ ...next.value, options });
          return;
        }
        if (performance.now() - started >= COPY_SLICE_MS) break;
      }
      setImmediate(step);
    };
    step();
  }

  #post(request: FitRequest): void {
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
