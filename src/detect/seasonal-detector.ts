/**
 * The seasonal-residual detector: how far the value lies outside the range expected at
 * the same phase of earlier periods (SeasonalProfile), judged like the median/MAD detector judges a
 * value: its deviation from the residual's recent level over a robust scale of past
 * residuals. It catches what is normal overall but wrong for the time of day (a daily
 * cycle that goes flat, a peak that stays low), and scores only while the series'
 * period is confirmed; before that its residuals still fill the windows and the
 * calibration history, so it is calibrated the moment it starts to score.
 */
import { MadDetector, type MadState } from './mad-detector.js';
import {
  SeasonalProfile,
  type SeasonalOptions,
  type SeasonalProfileState,
} from './seasonal-profile.js';

export interface SeasonalState {
  profile: SeasonalProfileState;
  residual: MadState;
}

export interface SeasonalResult {
  /** |residual − its level| over its robust scale; 0 when there is no expectation. */
  raw: number;
  /** True when `raw` is a judgement: the period is confirmed and the expectation known. */
  active: boolean;
  /** True when there was an expectation at all (its raw score may feed calibration). */
  known: boolean;
}

export class SeasonalDetector {
  readonly #profile: SeasonalProfile;
  readonly #residual: MadDetector;

  constructor(
    options: SeasonalOptions & { levelWindow: number; scaleWindow: number },
    floor: (level: number) => number,
  ) {
    this.#profile = new SeasonalProfile(options);
    this.#residual = new MadDetector(
      { level: options.levelWindow, scale: options.scaleWindow },
      floor,
    );
  }

  get periodSeconds(): number | null {
    return this.#profile.periodSeconds;
  }

  update(timestampMs: number, value: number, floor: number): SeasonalResult {
    const { low, high, confirmed } = this.#profile.update(timestampMs, value);
    if (Number.isNaN(low)) return { raw: 0, active: false, known: false };
    // Inside the expected range the residual is 0; outside, the distance to it.
    const residual = value > high ? value - high : value < low ? value - low : 0;
    const { raw } = this.#residual.update(residual, floor);
    return { raw, active: confirmed, known: true };
  }

  save(): SeasonalState {
    return { profile: this.#profile.save(), residual: this.#residual.save() };
  }

  restore(state: SeasonalState): void {
    this.#profile.restore(state.profile);
    this.#residual.restore(state.residual);
  }
}
