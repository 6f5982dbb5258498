/**
 * A fixed cadence: calls `run` at start + phase + k × interval, on monotonic time. A
 * slot is never made up for and never waits for the previous call: whoever is called
 * decides what a call during a run in flight means (the collection loop joins it).
 */
export class PeriodicTask {
  readonly #run: () => void;
  readonly #intervalMs: number;
  readonly #phaseMs: number;
  /** The slot the timer is set for, on performance.now()'s clock. */
  #slot = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(run: () => void, intervalMs: number, phaseMs = 0) {
    this.#run = run;
    this.#intervalMs = intervalMs;
    this.#phaseMs = phaseMs;
  }

  start(): void {
    this.#slot = performance.now() + this.#phaseMs;
    this.#arm();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, this.#slot - performance.now()));
    this.#timer.unref();
  }

  #fire(): void {
    this.#run();
    // The next slot after this one; slots that passed while the process was busy are
    // skipped. (A timer can fire a fraction of a millisecond before its slot.)
    const missed = Math.max(0, Math.floor((performance.now() - this.#slot) / this.#intervalMs));
    this.#slot += (missed + 1) * this.#intervalMs;
    this.#arm();
  }
}
