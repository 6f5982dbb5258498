/**
 * The robust detector: the residual from the series' current level (a short rolling
 * median, so a level shift becomes the new normal within half that window) over a
 * robust scale (1.4826 × the median absolute residual over a long window, which
 * outliers barely move). Both medians are O(log window) per update.
 */
import { RobustScale } from './robust-scale.js';
import { type MomentsState, RollingQuantile } from './rolling-window.js';
import { spreadFloor } from './spread-floor.js';

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
  /** Of the absolute residuals. */
  readonly #scale: RobustScale;

  constructor(windows: MadWindows) {
    this.#level = new RollingQuantile(windows.level, 0.5);
    this.#scale = new RobustScale(windows.scale);
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
    const scale = Math.max(this.#scale.value(), spreadFloor(level));
    this.#level.push(value);
    this.#scale.push(Math.abs(residual));
    return { raw: Math.abs(residual) / scale, residual: residual / scale };
  }

  save(): MadState {
    const scale = this.#scale.save();
    return {
      level: this.#level.values(),
      residuals: scale.values,
      mean_abs_residual: scale.moments,
    };
  }

  restore(state: MadState): void {
    for (const value of state.level) this.#level.push(value);
    this.#scale.restore(state.residuals, state.mean_abs_residual);
  }
}
