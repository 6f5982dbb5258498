/**
 * The seasonal-residual detector: how far the value lies outside the range expected at
 * the same phase of earlier periods (SeasonalProfile), judged like the median/MAD
 * detector judges a value: the excess's deviation from its recent level (a short
 * rolling median, so that an offset that persists becomes the new normal) over a
 * robust scale. The scale is 1.4826 × the median distance of past values from the
 * middle of their expected range, the series' ordinary noise around its daily shape
 * (the excess itself is 0 most of the time, so its own spread would be no scale).
 * It runs only while the series' period is confirmed (a series without one pays only
 * for the binning).
 */
import { RollingMoments, RollingQuantile, type MomentsState } from './rolling-window.js';
import {
  SeasonalProfile,
  type SeasonalOptions,
  type SeasonalProfileState,
} from './seasonal-profile.js';

const MAD_TO_SIGMA = 1.4826;
const MEAN_ABS_TO_SIGMA = 1.2533;

export interface SeasonalState {
  profile: SeasonalProfileState;
  level: number[];
  spread: number[];
  mean_spread: MomentsState;
}

export interface SeasonalResult {
  /** |excess − its level| over the robust scale; 0 when there is no expectation. */
  raw: number;
  /** True when `raw` is a judgement: the period is confirmed and the expectation known. */
  active: boolean;
  /** The excess from its level in robust-scale units, signed (0 inside the range or when not known). */
  residual: number;
}

export class SeasonalDetector {
  readonly #profile: SeasonalProfile;
  readonly #level: RollingQuantile;
  readonly #spread: RollingQuantile;
  // When most values sit exactly on their expectation (a quantised series) the median
  // distance is 0; the mean distance still sees the rarer moves.
  readonly #meanSpread: RollingMoments;

  constructor(options: SeasonalOptions & { levelWindow: number; scaleWindow: number }) {
    this.#profile = new SeasonalProfile(options);
    this.#level = new RollingQuantile(options.levelWindow, 0.5);
    this.#spread = new RollingQuantile(options.scaleWindow, 0.5);
    this.#meanSpread = new RollingMoments(options.scaleWindow);
  }

  get periodSeconds(): number | null {
    return this.#profile.periodSeconds;
  }

  /** `floor` is the smallest scale, from the series' level (see SeriesDetector). */
  update(timestampMs: number, value: number, floor: number): SeasonalResult {
    const { low, high } = this.#profile.update(timestampMs, value);
    if (Number.isNaN(low)) return { raw: 0, active: false, residual: 0 };
    // Inside the expected range the excess is 0; outside, the distance to it.
    const excess = value > high ? value - high : value < low ? value - low : 0;
    const distance = Math.abs(value - (low + high) / 2);
    const level = this.#level.size > 0 ? this.#level.value() : 0;
    const mad = this.#spread.size > 0 ? MAD_TO_SIGMA * this.#spread.value() : 0;
    const spread = mad > 0 ? mad : MEAN_ABS_TO_SIGMA * this.#meanSpread.mean();
    const scale = Math.max(spread, floor);
    this.#level.push(excess);
    this.#spread.push(distance);
    this.#meanSpread.push(distance);
    const residual = (excess - level) / scale;
    return { raw: Math.abs(residual), active: true, residual };
  }

  save(): SeasonalState {
    return {
      profile: this.#profile.save(),
      level: this.#level.values(),
      spread: this.#spread.values(),
      mean_spread: this.#meanSpread.save(),
    };
  }

  restore(state: SeasonalState): void {
    this.#profile.restore(state.profile);
    for (const value of state.level) this.#level.push(value);
    for (const value of state.spread) this.#spread.push(value);
    this.#meanSpread.restore(state.mean_spread);
  }
}
