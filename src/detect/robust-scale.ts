/**
 * A robust scale over a long window of non-negative deviations: 1.4826 × their median
 * (a consistent estimator of a normal σ, which outliers barely move), or, when the
 * median is 0 (a quantised series that mostly sits on one value), 1.2533 × their mean,
 * which still sees the rarer moves. The MAD and seasonal detectors both judge by it.
 */
import { RollingMoments, RollingQuantile, type MomentsState } from './rolling-window.js';

/** Makes the median absolute deviation a consistent estimator of a normal σ. */
const MAD_TO_SIGMA = 1.4826;
/** Makes the mean absolute deviation a consistent estimator of a normal σ. */
const MEAN_ABS_TO_SIGMA = 1.2533;

export class RobustScale {
  readonly #median: RollingQuantile;
  readonly #mean: RollingMoments;

  constructor(window: number) {
    this.#median = new RollingQuantile(window, 0.5);
    this.#mean = new RollingMoments(window);
  }

  /** The scale of the deviations seen so far; 0 before any. */
  value(): number {
    const mad = this.#median.size > 0 ? MAD_TO_SIGMA * this.#median.value() : 0;
    return mad > 0 ? mad : MEAN_ABS_TO_SIGMA * this.#mean.mean();
  }

  push(deviation: number): void {
    this.#median.push(deviation);
    this.#mean.push(deviation);
  }

  /** The window's deviations, oldest first, and the running moments. */
  save(): { values: number[]; moments: MomentsState } {
    return { values: this.#median.values(), moments: this.#mean.save() };
  }

  restore(values: readonly number[], moments: MomentsState): void {
    for (const value of values) this.#median.push(value);
    this.#mean.restore(moments);
  }
}
