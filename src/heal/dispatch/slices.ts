/**
 * The healer's share of the event loop: work that comes in bulk (parsing and planning a
 * notification, claiming its alerts, running queued jobs) runs in slices, and all of it
 * together takes at most about SLICE_MS of each turn of the event loop, however many
 * notifications and jobs are in progress. Between two turns Node serves other requests:
 * `/healthz`, `/metrics`, the next notification's bytes.
 *
 * Each part yielding on its own (a setImmediate after its own 5 ms) gave one slice per
 * part and turn: with four notifications being claimed and the queue being run, a turn
 * could take 25 ms before a probe was answered (`npm run bench:storm`). Here every part that
 * waits for a slice starts at the same turn, and all of them stop once that turn's
 * budget is spent.
 */
import { performance } from 'node:perf_hooks';

/** How long the sliced work may hold one turn of the event loop, in milliseconds. */
export const SLICE_MS = 5;

export class Slices {
  readonly #sliceMs: number;
  /** When the current slice began (performance.now()). */
  #started = -Infinity;
  #waiting: Array<() => void> = [];
  #scheduled = false;

  constructor(sliceMs = SLICE_MS) {
    this.#sliceMs = sliceMs;
  }

  /**
   * Whether this slice is spent: sliced work should wait for the next one. Callers write
   * `if (slices.due) await slices.next()`, which costs no promise while the slice lasts.
   */
  get due(): boolean {
    return performance.now() - this.#started >= this.#sliceMs;
  }

  /** Resolves at the start of the next slice, on a later turn of the event loop. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.#start());
    });
  }

  #start(): void {
    this.#scheduled = false;
    this.#started = performance.now();
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }
}

/** The process's one event loop, shared by every healer in it. */
export const eventLoopSlices = new Slices();
