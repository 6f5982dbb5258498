/**
 * The rolling z-score: the deviation from the mean of the last `window` samples in
 * standard deviations. Mean and variance are running sums, O(1) per update.
 */
import { RollingMoments, type MomentsState } from './rolling-window.js';
import { spreadFloor } from './spread-floor.js';

export class ZScoreDetector {
  readonly #moments: RollingMoments;

  constructor(window: number) {
    this.#moments = new RollingMoments(window);
  }

  /** The rolling mean (0 while empty). */
  get mean(): number {
    return this.#moments.mean();
  }

  /** |x - mean| / std against the window before x; then x joins the window. */
  update(value: number): number {
    const mean = this.#moments.mean();
    const spread = Math.max(this.#moments.std(), spreadFloor(mean));
    const raw = this.#moments.size === 0 ? 0 : Math.abs(value - mean) / spread;
    this.#moments.push(value);
    return raw;
  }

  save(): MomentsState {
    return this.#moments.save();
  }

  restore(state: MomentsState): void {
    this.#moments.restore(state);
  }
}
