/**
 * The range test: a value beyond every value the series has had. A stationary series
 * sets a new record ever more rarely (about 2·ln n records in n samples), and a record
 * set by noise or by a steady trend exceeds the old range by about range/n, so a breach
 * counts only when it exceeds the range by `tolerance`/n of it: a spike, a step or a
 * collapse beyond anything seen, judged at once, on the sample itself. A series that
 * keeps setting records on one side (a filling disk, a slow drift) is trending, not
 * breaking out: while that side's previous record is under `quiet` samples old, the
 * bar is `quiet` times higher, so only a jump well clear of the trend counts. A
 * caller may ask for a breach to be confirmed: then it counts once that many samples
 * in a row have stayed beyond the old bound, with the score of the first.
 */
import { spreadFloor } from './spread-floor.js';

export interface RangeState {
  min: number | null;
  max: number | null;
  samples: number;
  /** Sample counts at the last new minimum and maximum. */
  min_at: number;
  max_at: number;
  /** Breaches of the upper and lower bound still being confirmed. */
  above: Breach | null;
  below: Breach | null;
}

/** A breach waiting for its confirming samples: the old bound it crossed, its score, its length. */
interface Breach {
  bound: number;
  score: number;
  samples: number;
}

export class RangeTest {
  readonly #tolerance: number;
  readonly #quiet: number;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #samples = 0;
  #minAt = 0;
  #maxAt = 0;
  #above: Breach | null = null;
  #below: Breach | null = null;

  constructor(tolerance: number, quiet: number) {
    this.#tolerance = tolerance;
    this.#quiet = quiet;
  }

  /** Where `value` sits in the range seen before it, 0 at the minimum and 1 at the maximum. */
  position(value: number): number {
    if (this.#samples === 0) return 0;
    const span = Math.max(this.#max - this.#min, spreadFloor(this.#max));
    return (value - this.#min) / span;
  }

  /**
   * Scores `value` against the range of the values before it (1 is the threshold:
   * an excess of tolerance/n of the range), then widens the range to take it in. A
   * breach scores only once `confirm` samples in a row are beyond the old bound.
   */
  update(value: number, confirm = 1): number {
    let score = 0;
    const n = this.#samples;
    if (n > 0) {
      const span = Math.max(this.#max - this.#min, spreadFloor(Math.max(-this.#min, this.#max)));
      const bar = (at: number): number =>
        (span * this.#tolerance * (n >= this.#quiet && n - at < this.#quiet ? this.#quiet : 1)) / n;
      this.#above = extend(this.#above, value > (this.#above?.bound ?? Infinity), {
        bound: this.#max,
        score: (value - this.#max) / bar(this.#maxAt),
      });
      this.#below = extend(this.#below, value < (this.#below?.bound ?? -Infinity), {
        bound: this.#min,
        score: (this.#min - value) / bar(this.#minAt),
      });
      // A breach scores once, on the sample that confirms it; later samples are judged
      // against the range as it then is.
      if (this.#above && this.#above.samples >= confirm) {
        score = Math.max(score, this.#above.score);
        this.#above = null;
      }
      if (this.#below && this.#below.samples >= confirm) {
        score = Math.max(score, this.#below.score);
        this.#below = null;
      }
    }
    if (value < this.#min) {
      this.#min = value;
      this.#minAt = n;
    }
    if (value > this.#max) {
      this.#max = value;
      this.#maxAt = n;
    }
    this.#samples += 1;
    return score;
  }

  save(): RangeState {
    return {
      min: this.#samples > 0 ? this.#min : null,
      max: this.#samples > 0 ? this.#max : null,
      samples: this.#samples,
      min_at: this.#minAt,
      max_at: this.#maxAt,
      above: this.#above,
      below: this.#below,
    };
  }

  restore(state: RangeState): void {
    this.#samples = state.samples;
    this.#min = state.min ?? Number.POSITIVE_INFINITY;
    this.#max = state.max ?? Number.NEGATIVE_INFINITY;
    this.#minAt = state.min_at;
    this.#maxAt = state.max_at;
    this.#above = state.above;
    this.#below = state.below;
  }
}

/** A breach carried on while samples stay beyond its bound, or a new one when this sample breaks out. */
function extend(
  breach: Breach | null,
  beyond: boolean,
  fresh: { bound: number; score: number },
): Breach | null {
  if (breach && beyond) return { ...breach, samples: breach.samples + 1 };
  return fresh.score > 1 ? { ...fresh, samples: 1 } : null;
}
