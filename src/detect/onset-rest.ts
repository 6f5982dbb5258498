/**
 * The decision's rest: a crossing above 1 starts an anomaly only when the last onset is
 * at least `rest` steps old, so one incident is one alarm. Shared by each series and by
 * the forest; the caller counts the steps and keeps `last` in its saved state.
 */
export class OnsetRest {
  readonly #rest: number;
  /** The step count at the last onset; null before the first. */
  last: number | null = null;

  constructor(rest: number) {
    this.#rest = rest;
  }

  /** Whether a score of `score` at step `step` is an onset; records it when it is. */
  decide(score: number, step: number): boolean {
    const onset = score > 1 && (this.last === null || step - this.last >= this.#rest);
    if (onset) this.last = step;
    return onset;
  }
}
