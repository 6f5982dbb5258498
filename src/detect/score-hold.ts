/**
 * The live export's hold. Prometheus scrapes every 15 s by default while the agent may
 * collect every second, and an onset may be a single round, so a scrape could miss an
 * anomaly entirely. After an onset, and renewed by every later round whose score stays
 * above 1, a series stays anomalous for `hold` and its exported scores keep at least
 * their peak since the onset; when the hold has ended and the score is back under 1,
 * the anomaly resolves and the exported scores are the live ones again. A score above
 * 1 without an onset (the series is resting after an earlier one, or it never had one)
 * starts nothing. Only the live export holds: the backtest and the NAB benchmark judge
 * the onsets.
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
   * Takes a series' decision (`onset`), its live score (1 = threshold) and its
   * per-test scores at `timestampMs`; rewrites `scores` in place to what is exported
   * (each at least its peak since the onset while the hold runs). Returns whether the
   * series is anomalous: an onset, or inside the hold.
   */
  apply(
    metric: string,
    timestampMs: number,
    onset: boolean,
    score: number,
    scores: Map<string, number>,
  ): boolean {
    let entry = this.#entries.get(metric);
    if (onset && !entry) {
      entry = { until: timestampMs, peaks: new Map() };
      this.#entries.set(metric, entry);
    }
    if (!entry) return false;
    if (onset || score > 1) entry.until = timestampMs + this.#holdMs;
    if (timestampMs > entry.until) {
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
