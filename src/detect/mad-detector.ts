/**
 * The robust detector: the residual from the series' current level (a short rolling
 * median, so a level shift becomes the new normal within half that window) over a
 * robust scale (1.4826 × the median absolute residual over a long window, which
 * outliers barely move). Both medians are O(log window) per update.
 */
import { RollingMoments, RollingQuantile, type MomentsState } from './rolling-window.js';

/** Makes the median absolute deviation a consistent estimator of a normal σ. */
const MAD_TO_SIGMA = 1.4826;
/** Makes the mean absolute deviation a consistent estimator of a normal σ. */
const MEAN_ABS_TO_SIGMA = 1.2533;

export interface MadWindows {
  level: number;
  scale: number;
}

export interface MadState {
  level: number[];
  residuals: number[];
  mean_abs_residual: MomentsState;
}

export class MadDetector {
  readonly #level: RollingQuantile;
  readonly #absResidual: RollingQuantile;
  // A quantised series (mostly one value) has a zero MAD; the mean absolute residual
  // still sees its rarer moves and gives a scale where the median cannot.
  readonly #meanAbsResidual: RollingMoments;
  readonly #floor: (level: number) => number;

  constructor(windows: MadWindows, floor: (level: number) => number) {
    this.#level = new RollingQuantile(windows.level, 0.5);
    this.#absResidual = new RollingQuantile(windows.scale, 0.5);
    this.#meanAbsResidual = new RollingMoments(windows.scale);
    this.#floor = floor;
  }

  /**
   * |x - level| / scale against the windows before x, and the signed residual in scale
   * units; then x joins them.
   */
  update(value: number): { raw: number; residual: number } {
    if (this.#level.size === 0) {
      this.#level.push(value);
      return { raw: 0, residual: 0 };
    }
    const level = this.#level.value();
    const residual = value - level;
    const mad = MAD_TO_SIGMA * (this.#absResidual.value() || 0);
    const spread = mad > 0 ? mad : MEAN_ABS_TO_SIGMA * this.#meanAbsResidual.mean();
    const scale = Math.max(spread, this.#floor(level));
    this.#level.push(value);
    this.#absResidual.push(Math.abs(residual));
    this.#meanAbsResidual.push(Math.abs(residual));
    return { raw: Math.abs(residual) / scale, residual: residual / scale };
  }

  save(): MadState {
    return {
      level: this.#level.values(),
      residuals: this.#absResidual.values(),
      mean_abs_residual: this.#meanAbsResidual.save(),
    };
  }

  restore(state: MadState): void {
    for (const value of state.level) this.#level.push(value);
    for (const value of state.residuals) this.#absResidual.push(value);
    this.#meanAbsResidual.restore(state.mean_abs_residual);
  }
}
