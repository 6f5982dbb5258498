/**
 * The live export's hold. Prometheus scrapes every 15 s by default while the agent may
 * collect every second, and a score above 1 may last one round (the refractory period
 * damps the rounds after an onset), so a scrape could miss an anomaly entirely. After
 * an onset, and renewed by every later round above 1, a metric stays anomalous for
 * `hold` and its exported scores keep at least their peak since the onset; when the
 * hold has ended and the score is back under 1, the anomaly resolves and the exported
 * scores are the live ones again. Only the live export holds: the backtest and the NAB
 * benchmark judge the raw per-row scores.
 */

interface Entry {
  until: number;
  peaks: Map<string, number>;
}

export class ScoreHold {
  readonly #holdMs: number;
  readonly #entries = new Map<string, Entry>();

  constructor(holdSeconds: number) {
    this.#holdMs = holdSeconds * 1000;
  }

  /**
   * Takes a metric's live score (the one that decides anomalous, 1 = threshold) and its
   * per-detector scores at `timestampMs`; rewrites `scores` in place to what is exported
   * (each at least its peak since the onset while the hold runs). Returns whether the
   * metric is anomalous: a live score above 1, or inside the hold.
   */
  apply(metric: string, timestampMs: number, score: number, scores: Map<string, number>): boolean {
    let entry = this.#entries.get(metric);
    if (score > 1) {
      if (!entry) {
        entry = { until: timestampMs, peaks: new Map() };
        this.#entries.set(metric, entry);
      }
      entry.until = timestampMs + this.#holdMs;
    }
    if (!entry) return false;
    if (timestampMs > entry.until) {
      // score <= 1 here: a round above 1 would have renewed the hold.
      this.#entries.delete(metric);
      return false;
    }
    for (const [detector, live] of scores) {
      const peak = Math.max(entry.peaks.get(detector) ?? live, live);
      entry.peaks.set(detector, peak);
      scores.set(detector, peak);
    }
    return true;
  }

  forget(metric: string): void {
    this.#entries.delete(metric);
  }
}
