/**
 * The shape test, a nearest-neighbour novelty in the spirit of KNN-CAD: the last
 * `window` blocks (see Downsampler) are compared with every earlier stretch of the
 * same length in the history, and the distance to the closest one is the block's
 * novelty (mean absolute difference, in units of the range of the blocks seen). A
 * shape the series has drawn before is near one of them; a new one is not. The
 * novelty is judged against the largest novelty of the last `calibration` blocks: a
 * noisy series, whose every window is a little new, sets its own bar. There is no bar
 * until that span is full: the largest of a few novelties is a low bar, and a series
 * that has not yet shown its periodic jobs a few times would alarm on each (bench:live
 * saw such a burst in the first minutes after readiness).
 */
import { FloatRing } from './float-ring.js';

export interface NoveltyState {
  history: number[];
  novelties: number[];
  min: number | null;
  max: number | null;
}

export interface Novelty {
  /** Distance to the nearest earlier window, in units of the range. */
  distance: number;
  /** The largest distance of the calibration span before this one; 0 until that span is full. */
  bar: number;
}

export class ShapeNovelty {
  readonly #window: number;
  readonly #history: FloatRing;
  readonly #novelties: FloatRing;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  constructor(options: { window: number; history: number; calibration: number }) {
    this.#window = options.window;
    this.#history = new FloatRing(options.history);
    this.#novelties = new FloatRing(options.calibration);
  }

  /** Takes one block; returns its novelty once there are two windows to compare. */
  push(block: number): Novelty | undefined {
    const history = this.#history;
    history.push(block);
    if (block < this.#min) this.#min = block;
    if (block > this.#max) this.#max = block;
    const w = this.#window;
    const size = history.size;
    if (size < 2 * w + 1) return undefined;
    // Windows ending `lag` blocks ago, for every lag that does not overlap the newest.
    let best = Number.POSITIVE_INFINITY;
    for (let lag = w; lag <= size - w; lag += 1) {
      let sum = 0;
      for (let i = 0; i < w && sum < best; i += 1)
        sum += Math.abs(history.ago(i) - history.ago(lag + i));
      if (sum < best) best = sum;
    }
    const range = this.#max - this.#min;
    const distance = range > 0 ? best / w / range : 0;
    const novelties = this.#novelties;
    const bar = novelties.size === novelties.capacity ? novelties.max() : 0;
    novelties.push(distance);
    return { distance, bar };
  }

  save(): NoveltyState {
    return {
      history: this.#history.save(),
      novelties: this.#novelties.save(),
      min: Number.isFinite(this.#min) ? this.#min : null,
      max: Number.isFinite(this.#max) ? this.#max : null,
    };
  }

  restore(state: NoveltyState): void {
    this.#history.restore(state.history);
    this.#novelties.restore(state.novelties);
    this.#min = state.min ?? Number.POSITIVE_INFINITY;
    this.#max = state.max ?? Number.NEGATIVE_INFINITY;
  }
}
