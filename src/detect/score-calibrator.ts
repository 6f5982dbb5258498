/**
 * Turns a detector's raw deviation into a normalised score (1.0 = its threshold).
 * The threshold is the configured multiplier, raised to a margin over a high quantile
 * of the detector's own past raw scores: a heavy-tailed or quantised series, whose
 * ordinary deviations would cross a fixed multiplier every day, calibrates itself.
 */
import type { DetectionConfig } from '../config/detection.js';
import { RollingQuantile } from './rolling-window.js';

export interface CalibrationOptions {
  /** The threshold for a well-behaved series, in raw units. */
  multiplier: number;
  window: number;
  quantile: number;
  margin: number;
  /** Past raw scores needed before the quantile is trusted. */
  minSamples: number;
}

export interface CalibratorState {
  history: number[];
}

export class ScoreCalibrator {
  readonly #options: CalibrationOptions;
  readonly #history: RollingQuantile;

  constructor(options: CalibrationOptions) {
    this.#options = options;
    this.#history = new RollingQuantile(options.window, options.quantile);
  }

  /** A calibrator with the configured window, quantile, margin and warm-up, for `multiplier`. */
  static fromConfig(config: DetectionConfig, multiplier: number): ScoreCalibrator {
    return new ScoreCalibrator({
      multiplier,
      window: config.calibration_window,
      quantile: config.calibration_quantile,
      margin: config.calibration_margin,
      minSamples: config.min_samples_for_detection,
    });
  }

  /** Past raw scores in the calibration window. */
  get samples(): number {
    return this.#history.size;
  }

  /** Scores `raw` against the history before it, then adds it to the history. */
  score(raw: number): number {
    const { multiplier, margin, minSamples } = this.#options;
    let threshold = multiplier;
    if (this.#history.size >= minSamples)
      threshold = Math.max(threshold, margin * this.#history.value());
    this.#history.push(raw);
    return raw / threshold;
  }

  save(): CalibratorState {
    return { history: this.#history.values() };
  }

  restore(state: CalibratorState): void {
    for (const raw of state.history) this.#history.push(raw);
  }
}
