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
import { RobustScale } from './robust-scale.js';
import { type MomentsState, RollingQuantile } from './rolling-window.js';
import {
  SeasonalProfile,
  type SeasonalOptions,
  type SeasonalProfileState,
} from './seasonal-profile.js';

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
  /** Of the distances from the middle of the expected range. */
  readonly #spread: RobustScale;

  constructor(options: SeasonalOptions & { levelWindow: number; scaleWindow: number }) {
    this.#profile = new SeasonalProfile(options);
    this.#level = new RollingQuantile(options.levelWindow, 0.5);
    this.#spread = new RobustScale(options.scaleWindow);
  }

  get periodSeconds(): number | null {
    return this.#profile.periodSeconds;
  }

  /** `floor` is the smallest scale, from the series' level (spreadFloor of the series' mean). */
  update(timestampMs: number, value: number, floor: number): SeasonalResult {
    const { low, high } = this.#profile.update(timestampMs, value);
    if (Number.isNaN(low)) return { raw: 0, active: false, residual: 0 };
    // Inside the expected range the excess is 0; outside, the distance to it.
    const excess = value > high ? value - high : value < low ? value - low : 0;
    const distance = Math.abs(value - (low + high) / 2);
    const level = this.#level.size > 0 ? this.#level.value() : 0;
    const scale = Math.max(this.#spread.value(), floor);
    this.#level.push(excess);
    this.#spread.push(distance);
    const residual = (excess - level) / scale;
    return { raw: Math.abs(residual), active: true, residual };
  }

  save(): SeasonalState {
    const spread = this.#spread.save();
    return {
      profile: this.#profile.save(),
      level: this.#level.values(),
      spread: spread.values,
      mean_spread: spread.moments,
    };
  }

  restore(state: SeasonalState): void {
    this.#profile.restore(state.profile);
    for (const value of state.level) this.#level.push(value);
    this.#spread.restore(state.spread, state.mean_spread);
  }
}
