/**
 * The seasonal test: the last `window` blocks against the same stretch one, two and
 * three periods earlier (give or take a block), the nearest of them. A daily pattern
 * that fails to come (a missing peak, a flat afternoon) leaves every window shape
 * familiar but differs from the same hour of the days before. It judges only while
 * the series is periodic: over the calibration span its windows must be clearly
 * closer to a period ago than to half a period ago (strength = 1 − mean distance at
 * the period / mean distance at half of it). Like the shape test, a distance counts
 * against the largest of the calibration span.
 */
import { FloatRing } from './float-ring.js';
import type { Novelty } from './shape-novelty.js';

/** Earlier periods compared. */
const PERIODS_BACK = 3;

export interface SeasonalState {
  history: number[];
  novelties: number[];
  halves: number[];
  min: number | null;
  max: number | null;
}

export interface SeasonalOptions {
  window: number;
  /** Blocks per period. */
  period: number;
  calibration: number;
  /** Blocks judged before the first novelty counts, so that its bar is not that of a handful. */
  warmUp: number;
  /** Least strength at which the test judges. */
  minStrength: number;
}

export class SeasonalNovelty {
  readonly #options: SeasonalOptions;
  readonly #history: FloatRing;
  /** Nearest distance a period back, and distance half a period back, per block. */
  readonly #novelties: FloatRing;
  readonly #halves: FloatRing;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;

  constructor(options: SeasonalOptions) {
    this.#options = options;
    const span = options.period * PERIODS_BACK + options.window + 2;
    this.#history = new FloatRing(span, 'single');
    this.#novelties = new FloatRing(options.calibration);
    this.#halves = new FloatRing(options.calibration);
  }

  /** Blocks of history this test keeps: what it costs in memory. */
  static span(window: number, period: number): number {
    return period * PERIODS_BACK + window + 2;
  }

  /** Takes one block; returns its novelty while the series is periodic, after three periods and the warm-up. */
  push(block: number): (Novelty & { strength: number }) | undefined {
    const history = this.#history;
    history.push(block);
    if (block < this.#min) this.#min = block;
    if (block > this.#max) this.#max = block;
    if (history.size < history.capacity) return undefined;
    const range = this.#max - this.#min;
    if (!(range > 0)) return undefined;
    const { window, period } = this.#options;
    const distance = (lag: number): number => {
      let sum = 0;
      for (let i = 0; i < window; i += 1) sum += Math.abs(history.ago(i) - history.ago(lag + i));
      return sum / window / range;
    };
    let nearest = Number.POSITIVE_INFINITY;
    for (let back = 1; back <= PERIODS_BACK; back += 1)
      for (let shift = -1; shift <= 1; shift += 1)
        nearest = Math.min(nearest, distance(back * period + shift));
    const bar = this.#novelties.max();
    this.#novelties.push(nearest);
    this.#halves.push(distance(Math.round(period / 2)));
    const strength = 1 - mean(this.#novelties) / Math.max(mean(this.#halves), 1e-12);
    if (this.#novelties.size < this.#options.warmUp || strength < this.#options.minStrength)
      return undefined;
    return { distance: nearest, bar, strength };
  }

  save(): SeasonalState {
    return {
      history: this.#history.save(),
      novelties: this.#novelties.save(),
      halves: this.#halves.save(),
      min: Number.isFinite(this.#min) ? this.#min : null,
      max: Number.isFinite(this.#max) ? this.#max : null,
    };
  }

  restore(state: SeasonalState): void {
    this.#history.restore(state.history);
    this.#novelties.restore(state.novelties);
    this.#halves.restore(state.halves);
    this.#min = state.min ?? Number.POSITIVE_INFINITY;
    this.#max = state.max ?? Number.NEGATIVE_INFINITY;
  }
}

function mean(ring: FloatRing): number {
  let sum = 0;
  for (let age = 0; age < ring.size; age += 1) sum += ring.ago(age);
  return ring.size > 0 ? sum / ring.size : 0;
}
