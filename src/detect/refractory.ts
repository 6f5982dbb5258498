/**
 * One incident, one alarm. After a score crosses 1 (an onset), the next `length`
 * samples score against the onset's own level: only a deviation twice as large as the
 * one that fired (an escalation, which restarts the period) crosses 1 again. Without
 * this a sustained deviation fires on every sample until the windows absorb it, and
 * each of those is a false alarm once the incident is known.
 */
export interface RefractoryState {
  left: number;
  peak: number;
}

/** How much larger than the onset a deviation must be to fire again inside the period. */
const ESCALATION = 2;

export class Refractory {
  readonly #length: number;
  #left = 0;
  #peak = 0;

  constructor(length: number) {
    this.#length = length;
  }

  /** Takes a normalised score (1 = threshold), returns it damped while the period runs. */
  apply(score: number): number {
    if (this.#left > 0) {
      this.#left -= 1;
      const damped = score / (ESCALATION * this.#peak);
      if (damped > 1) this.#start(score);
      return damped;
    }
    if (score > 1) this.#start(score);
    return score;
  }

  #start(score: number): void {
    if (this.#length === 0) return;
    this.#left = this.#length;
    this.#peak = score;
  }

  save(): RefractoryState {
    return { left: this.#left, peak: this.#peak };
  }

  restore(state: RefractoryState): void {
    this.#left = state.left;
    this.#peak = state.peak;
  }
}
