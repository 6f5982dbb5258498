/**
 * Everything judged about one series: three tests, each scored so that 1 is its
 * threshold, and one decision.
 * - range: a value beyond every earlier one (RangeTest), judged on every sample;
 * - shape: a window of blocks unlike any earlier window (ShapeNovelty);
 * - seasonal: a window unlike the same time of the previous periods (SeasonalNovelty),
 *   while the series is periodic.
 * The decision is an onset: some test above 1, and no onset in the last
 * `alarm_rest_samples` samples, so one incident is one alarm and a test that stays
 * above 1 does not alarm again. Nothing is judged before `min_samples_for_detection`
 * samples.
 */
import type { DetectionConfig } from '../config/detection.js';
import { Downsampler, type DownsamplerState } from './downsampler.js';
import { OnsetRest } from './onset-rest.js';
import { RangeTest, type RangeState } from './range-test.js';
import { SeasonalNovelty, type SeasonalState } from './seasonal-novelty.js';
import { ShapeNovelty, type Novelty, type NoveltyState } from './shape-novelty.js';

/** The tests that score each series, as exported in the `detector` label. */
export const SERIES_TESTS = ['range', 'shape', 'seasonal'] as const;
export type SeriesTest = (typeof SERIES_TESTS)[number];

/** Largest seasonal history kept per series, in blocks (4 bytes each). */
const MAX_SEASONAL_SPAN = 10_240;
/** Sampling gaps measured before the seasonal test is set up. */
const GAPS_FOR_INTERVAL = 16;

export interface SeriesScores extends Record<SeriesTest, number> {
  value: number;
  /** The largest test score: above 1, some test fired. */
  score: number;
  /** The decision: this sample starts an anomaly. */
  onset: boolean;
  /** The value's place in the series' range (0 at its minimum, 1 at its maximum): the forest's feature. */
  position: number;
  ready: boolean;
}

export interface SeriesState {
  samples: number;
  first: number | null;
  varied: boolean;
  last_onset: number | null;
  range: RangeState;
  blocks: DownsamplerState;
  shape: NoveltyState;
  gaps: number[];
  last_timestamp_ms: number | null;
  seasonal: SeasonalState | null;
}

export class SeriesDetector {
  readonly #config: DetectionConfig;
  readonly #range: RangeTest;
  readonly #blocks: Downsampler;
  readonly #shape: ShapeNovelty;
  #seasonal: SeasonalNovelty | undefined;
  /** The first sampling gaps, which give the interval. */
  #gaps: number[] = [];
  /** Their median, once there are enough of them; 0 before. */
  #intervalMs = 0;
  #lastTimestampMs: number | null = null;
  #samples = 0;
  #first: number | null = null;
  #varied = false;
  readonly #rest: OnsetRest;

  constructor(config: DetectionConfig) {
    this.#config = config;
    this.#rest = new OnsetRest(config.alarm_rest_samples);
    this.#range = new RangeTest(config.range_tolerance, config.range_quiet_samples);
    this.#blocks = new Downsampler(config.block_samples);
    this.#shape = new ShapeNovelty({
      window: config.shape_window,
      history: config.shape_history,
      calibration: config.novelty_calibration,
    });
  }

  /** Blocks per seasonal period, once the sampling interval is known and the test fits; else null. */
  get seasonalPeriod(): number | null {
    return this.#seasonal ? this.#seasonalPeriodFor(this.#intervalMs) : null;
  }

  get ready(): boolean {
    return this.#samples >= this.#config.min_samples_for_detection;
  }

  /** True once the series has taken two different values. */
  get varied(): boolean {
    return this.#varied;
  }

  /** Feeds one finite value taken at `timestampMs`. Until the warm-up is over the scores are 0. */
  update(value: number, timestampMs: number): SeriesScores {
    if (this.#first === null) this.#first = value;
    else if (value !== this.#first) this.#varied = true;
    this.#learnInterval(timestampMs);
    const position = this.#range.position(value);
    const range = this.#range.update(value, this.#rangeConfirm());
    let shape = 0;
    let seasonal = 0;
    const block = this.#blocks.push(value);
    if (block !== undefined) {
      shape = judge(this.#shape.push(block), this.#config.shape_margin);
      const periodic = this.#seasonal?.push(block);
      seasonal = judge(periodic, this.#config.seasonal_margin);
    }
    this.#samples += 1;
    const ready = this.ready;
    if (!ready)
      return { value, range: 0, shape: 0, seasonal: 0, score: 0, onset: false, position, ready };
    const score = Math.max(range, shape, seasonal);
    const onset = this.#rest.decide(score, this.#samples);
    return { value, range, shape, seasonal, score, onset, position, ready };
  }

  /** Measures the sampling interval from the first gaps, then sets up the seasonal test if it fits. */
  #learnInterval(timestampMs: number): void {
    const last = this.#lastTimestampMs;
    this.#lastTimestampMs = timestampMs;
    if (this.#seasonal || this.#gaps.length >= GAPS_FOR_INTERVAL || last === null) return;
    if (timestampMs > last) this.#gaps.push(timestampMs - last);
    if (this.#gaps.length < GAPS_FOR_INTERVAL) return;
    this.#intervalMs = median(this.#gaps);
    this.#seasonal = this.#newSeasonal();
  }

  /** The seasonal test for the measured interval, or undefined where it is off or does not fit. */
  #newSeasonal(): SeasonalNovelty | undefined {
    const period = this.#seasonalPeriodFor(this.#intervalMs);
    if (period === null) return undefined;
    const { shape_window, novelty_calibration, min_samples_for_detection, block_samples } =
      this.#config;
    return new SeasonalNovelty({
      window: shape_window,
      period,
      calibration: novelty_calibration,
      warmUp: Math.ceil(min_samples_for_detection / block_samples),
      minStrength: this.#config.seasonal_min_strength,
    });
  }

  /**
   * Samples a range breach must last: a sample taken less than `range_confirm_below`
   * after the one before is an instant, and a record in it alone is a blip (a GC pause,
   * a scheduling hiccup), so it needs the next sample too; a sample a minute or more
   * apart already stands for that minute, as NAB's 5-minute rows do.
   */
  #rangeConfirm(): number {
    const interval = this.#intervalMs;
    return interval > 0 && interval < this.#config.range_confirm_below * 1000 ? 2 : 1;
  }

  #seasonalPeriodFor(intervalMs: number): number | null {
    const { seasonal_period: periodSeconds, block_samples: factor, shape_window } = this.#config;
    if (periodSeconds <= 0 || intervalMs <= 0) return null;
    const period = Math.round((periodSeconds * 1000) / intervalMs / factor);
    if (period < 4 || SeasonalNovelty.span(shape_window, period) > MAX_SEASONAL_SPAN) return null;
    return period;
  }

  save(): SeriesState {
    return {
      samples: this.#samples,
      first: this.#first,
      varied: this.#varied,
      last_onset: this.#rest.last,
      range: this.#range.save(),
      blocks: this.#blocks.save(),
      shape: this.#shape.save(),
      gaps: [...this.#gaps],
      last_timestamp_ms: this.#lastTimestampMs,
      seasonal: this.#seasonal?.save() ?? null,
    };
  }

  restore(state: SeriesState): void {
    this.#samples = state.samples;
    this.#first = state.first;
    this.#varied = state.varied;
    this.#rest.last = state.last_onset;
    this.#range.restore(state.range);
    this.#blocks.restore(state.blocks);
    this.#shape.restore(state.shape);
    this.#gaps = [...state.gaps];
    this.#intervalMs = this.#gaps.length >= GAPS_FOR_INTERVAL ? median(this.#gaps) : 0;
    this.#lastTimestampMs = state.last_timestamp_ms;
    this.#seasonal = state.seasonal ? this.#newSeasonal() : undefined;
    if (state.seasonal) this.#seasonal?.restore(state.seasonal);
  }
}

/** The middle value (the upper one of an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

/** A novelty as a score, 1 at its bar times the margin; 0 while it has no bar yet. */
function judge(novelty: Novelty | undefined, margin: number): number {
  if (!novelty || !(novelty.bar > 0)) return 0;
  return novelty.distance / (novelty.bar * margin);
}
