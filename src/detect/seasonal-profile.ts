/**
 * The seasonal expectation of one series: the value it had at the same phase of
 * earlier periods, for a period found causally among a few candidates (a day, a week).
 *
 * Time is cut into bins of width period / bins (the bins follow the sampling interval,
 * estimated from the first timestamps, up to `maxBins` per period), and a ring keeps
 * the mean of each bin over the last `history` + 1 periods. The expectation of a
 * sample is a range: the median over the last `history` periods of the lowest and the
 * highest bin within a couple of bins of its phase, so that one abnormal day does not
 * move it and an edge that comes a few minutes early or late is not an anomaly. Phase comes from the timestamp, so gaps and a late sample land in
 * the right bin.
 *
 * Whether a candidate period is real is decided once per period from the binned
 * history: the strength 1 − mean|y(t) − y(t − P)| / mean|y(t) − y(t − P/2)|, the
 * seasonal difference against the half-period one, is near 1 for a daily cycle or
 * square wave, near 0 for noise and negative for a random walk or a trend (which
 * autocorrelate at every lag, so a plain autocorrelation would accept them). The best
 * of the last periods counts, so one abnormal period does not switch it off. Every
 * operation is O(history) per sample, plus O(history × bins) once per period.
 */

export interface SeasonalOptions {
  /** Candidate periods in seconds. */
  periodsSeconds: readonly number[];
  /** Most bins per period (the bin is never narrower than the sampling interval). */
  maxBins: number;
  /** Earlier periods whose same-phase values give the expectation. */
  history: number;
  /** Strength a candidate needs to count as the series' period. */
  minStrength: number;
}

/** Timestamp deltas used to estimate the sampling interval. */
const INTERVAL_SAMPLES = 15;
/** Bins either side of the same phase that still count as on time. */
const TOLERANCE = 2;
/** Fewer bins than this per period and the period is too short for the sampling: skipped. */
const MIN_BINS = 8;

export interface SeasonalCandidateState {
  period_s: number;
  bins: number;
  /** Absolute index of the bin being filled, or null before the first sample. */
  current: number | null;
  sum: number;
  count: number;
  /** Bin means, ring indexed by absolute bin modulo its length; null for an empty bin. */
  ring: (number | null)[];
  strength: number;
}

export interface SeasonalProfileState {
  last_ms: number | null;
  deltas: number[];
  candidates: SeasonalCandidateState[];
}

class Candidate {
  readonly periodMs: number;
  readonly bins: number;
  readonly widthMs: number;
  readonly #history: number;
  readonly #ring: Float64Array;
  #current: number | null = null;
  #sum = 0;
  #count = 0;
  strength = Number.NEGATIVE_INFINITY;
  readonly #lows: number[];
  readonly #highs: number[];

  constructor(periodMs: number, bins: number, history: number) {
    this.periodMs = periodMs;
    this.bins = bins;
    this.widthMs = periodMs / bins;
    this.#history = history;
    this.#ring = new Float64Array((history + 1) * bins).fill(Number.NaN);
    this.#lows = new Array<number>(history);
    this.#highs = new Array<number>(history);
  }

  /**
   * The range expected at `timestampMs`: for each earlier period, the lowest and highest
   * bin mean within TOLERANCE bins of the same phase (a daily event may come a little
   * early or late), then the median of those lows and of those highs over the periods.
   * Writes into `out`; leaves it alone when fewer than two periods are known.
   */
  expected(timestampMs: number, out: { low: number; high: number }): void {
    const bin = Math.floor(timestampMs / this.widthMs);
    const ring = this.#ring;
    const length = ring.length;
    const current = this.#current;
    if (current === null) return;
    let n = 0;
    for (let k = 1; k <= this.#history; k += 1) {
      let low = Number.POSITIVE_INFINITY;
      let high = Number.NEGATIVE_INFINITY;
      for (let d = -TOLERANCE; d <= TOLERANCE; d += 1) {
        const at = bin - k * this.bins + d;
        // Only finished bins: the one being filled is not in the ring yet.
        if (at >= current || at < current - length) continue;
        const value = ring[((at % length) + length) % length] as number;
        if (Number.isNaN(value)) continue;
        if (value < low) low = value;
        if (value > high) high = value;
      }
      if (low > high) continue;
      this.#lows[n] = low;
      this.#highs[n] = high;
      n += 1;
    }
    if (n < 2) return;
    out.low = medianOf(this.#lows, n);
    out.high = medianOf(this.#highs, n);
  }

  /** Adds a sample to its bin; closing a bin stores its mean, and a new period re-evaluates the strength. */
  add(timestampMs: number, value: number): void {
    const bin = Math.floor(timestampMs / this.widthMs);
    if (this.#current === null) this.#current = bin;
    if (bin < this.#current) return; // out of order: ignored
    if (bin > this.#current) this.#close(bin);
    this.#sum += value;
    this.#count += 1;
  }

  #close(next: number): void {
    const ring = this.#ring;
    const length = ring.length;
    const current = this.#current as number;
    ring[current % length] = this.#count > 0 ? this.#sum / this.#count : Number.NaN;
    // Bins skipped by a gap are empty; a gap longer than the ring empties all of it.
    const skipped = Math.min(next - current - 1, length);
    for (let i = 1; i <= skipped; i += 1) ring[(current + i) % length] = Number.NaN;
    const periodBoundary = Math.floor(next / this.bins) > Math.floor(current / this.bins);
    this.#current = next;
    this.#sum = 0;
    this.#count = 0;
    if (periodBoundary) this.#evaluate();
  }

  /** Strength of the period: the best of the last periods (see the file comment). */
  #evaluate(): void {
    const ring = this.#ring;
    const length = ring.length;
    const bins = this.bins;
    const half = bins >> 1;
    const end = this.#current as number; // first bin of the new period
    let best = Number.NEGATIVE_INFINITY;
    for (let k = 1; k <= this.#history; k += 1) {
      let seasonal = 0;
      let contrast = 0;
      let pairs = 0;
      for (let b = end - k * bins; b < end - (k - 1) * bins; b += 1) {
        if (b - bins < end - length) continue;
        const y = ring[((b % length) + length) % length] as number;
        const lagged = ring[(((b - bins) % length) + length) % length] as number;
        const halfLagged = ring[(((b - half) % length) + length) % length] as number;
        if (Number.isNaN(y) || Number.isNaN(lagged) || Number.isNaN(halfLagged)) continue;
        seasonal += Math.abs(y - lagged);
        contrast += Math.abs(y - halfLagged);
        pairs += 1;
      }
      if (pairs < bins / 2 || contrast === 0) continue;
      best = Math.max(best, 1 - seasonal / contrast);
    }
    this.strength = best;
  }

  save(): SeasonalCandidateState {
    return {
      period_s: this.periodMs / 1000,
      bins: this.bins,
      current: this.#current,
      sum: this.#sum,
      count: this.#count,
      ring: Array.from(this.#ring, (v) => (Number.isNaN(v) ? null : v)),
      strength: Number.isFinite(this.strength) ? this.strength : -1e9,
    };
  }

  restore(state: SeasonalCandidateState): void {
    this.#current = state.current;
    this.#sum = state.sum;
    this.#count = state.count;
    state.ring.forEach((v, i) => (this.#ring[i] = v ?? Number.NaN));
    this.strength = state.strength <= -1e9 ? Number.NEGATIVE_INFINITY : state.strength;
  }
}

/** Median of the first n entries (n is small: the history, 3 by default). */
function medianOf(values: number[], n: number): number {
  if (n === 2) return ((values[0] as number) + (values[1] as number)) / 2;
  if (n === 3) {
    const a = values[0] as number;
    const b = values[1] as number;
    const c = values[2] as number;
    return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
  const sorted = values.slice(0, n).sort((x, y) => x - y);
  const mid = n >> 1;
  return n % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export class SeasonalProfile {
  readonly #options: SeasonalOptions;
  #lastMs: number | null = null;
  readonly #deltas: number[] = [];
  #candidates: Candidate[] = [];

  constructor(options: SeasonalOptions) {
    this.#options = options;
  }

  /** The confirmed period in seconds (the strongest candidate above the threshold), or null. */
  get periodSeconds(): number | null {
    const best = this.#best();
    return best ? best.periodMs / 1000 : null;
  }

  #best(): Candidate | undefined {
    let best: Candidate | undefined;
    for (const candidate of this.#candidates)
      if (
        candidate.strength >= this.#options.minStrength &&
        (!best || candidate.strength > best.strength)
      )
        best = candidate;
    return best;
  }

  /**
   * The range expected at this timestamp by the confirmed period (NaN bounds while there
   * is none, or fewer than two earlier periods are known); then the sample joins the
   * profile. An unconfirmed series costs only the binning.
   */
  update(timestampMs: number, value: number): { low: number; high: number } {
    this.#learnInterval(timestampMs);
    const range = { low: Number.NaN, high: Number.NaN };
    this.#best()?.expected(timestampMs, range);
    for (const candidate of this.#candidates) candidate.add(timestampMs, value);
    return range;
  }

  /**
   * Estimates the sampling interval from the first INTERVAL_SAMPLES deltas and sets up
   * the candidate periods it leaves MIN_BINS bins; decided once, even when none fits.
   */
  #learnInterval(timestampMs: number): void {
    if (this.#deltas.length >= INTERVAL_SAMPLES) return;
    if (this.#lastMs !== null && timestampMs > this.#lastMs)
      this.#deltas.push(timestampMs - this.#lastMs);
    this.#lastMs = timestampMs;
    if (this.#deltas.length < INTERVAL_SAMPLES) return;
    const sorted = [...this.#deltas].sort((a, b) => a - b);
    const interval = sorted[sorted.length >> 1] as number;
    const { periodsSeconds, maxBins, history } = this.#options;
    for (const seconds of periodsSeconds) {
      const periodMs = seconds * 1000;
      const bins = Math.min(maxBins, Math.round(periodMs / interval));
      if (bins >= MIN_BINS) this.#candidates.push(new Candidate(periodMs, bins, history));
    }
  }

  save(): SeasonalProfileState {
    return {
      last_ms: this.#lastMs,
      deltas: [...this.#deltas],
      candidates: this.#candidates.map((c) => c.save()),
    };
  }

  restore(state: SeasonalProfileState): void {
    this.#lastMs = state.last_ms;
    this.#deltas.splice(0, this.#deltas.length, ...state.deltas);
    this.#candidates = state.candidates.map((saved) => {
      const candidate = new Candidate(saved.period_s * 1000, saved.bins, this.#options.history);
      candidate.restore(saved);
      return candidate;
    });
  }
}
