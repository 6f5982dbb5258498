// A clock tests move by hand: timers fire in due order when advance() passes them.
import type { Clock, Timer } from '../../../../src/heal/dispatch/clock.js';

interface Pending {
  at: number;
  seq: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Set<Pending>();

  constructor(startMs = Date.parse('2025-01-01T00:00:00Z')) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const pending = { at: this.#now + ms, seq: (this.#seq += 1), callback };
    this.#timers.add(pending);
    return { cancel: () => this.#timers.delete(pending) };
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers]
        .filter((timer) => timer.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers.delete(due);
      this.#now = Math.max(this.#now, due.at);
      due.callback();
    }
    this.#now = end;
  }

  /** Timers waiting, for assertions. */
  get pending(): number {
    return this.#timers.size;
  }
}
