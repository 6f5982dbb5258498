/**
 * Everything judged about one series: its z-score and median/MAD detectors, each
 * with its own calibrator, the warm-up count, and whether it has ever varied
 * (a series that has only ever had one value has nothing to export yet).
 */
import type { DetectionConfig } from '../config/detection.js';
import { MadDetector, type MadState } from './mad-detector.js';
import { SeasonalDetector, type SeasonalState } from './seasonal-detector.js';
import { ScoreCalibrator, type CalibratorState } from './score-calibrator.js';
import { spreadFloor } from './spread-floor.js';
import { Refractory, type RefractoryState } from './refractory.js';
import type { MomentsState } from './rolling-window.js';
import { ZScoreDetector } from './zscore-detector.js';

export interface SeriesScores {
  value: number;
  zscore: number;
  mad: number;
  /** Seasonal-residual score; 0 while the series has no confirmed period. */
  seasonal: number;
  /** max(zscore, mad, seasonal), damped for a while after an onset (see Refractory): the series' alarm score. */
  score: number;
  /**
   * Residual from the level (from the seasonal range once the seasonal detector judges
   * the series) in robust-scale units, signed: the forest's feature.
   */
  residual: number;
  ready: boolean;
}

export interface SeriesState {
  samples: number;
  first: number | null;
  varied: boolean;
  zscore: MomentsState;
  mad: MadState;
  zscore_calibration: CalibratorState;
  mad_calibration: CalibratorState;
  seasonal: SeasonalState | null;
  seasonal_calibration: CalibratorState;
  refractory: RefractoryState;
}

export class SeriesDetector {
  readonly #minSamples: number;
  readonly #zscore: ZScoreDetector;
  readonly #mad: MadDetector;
  readonly #zscoreCalibration: ScoreCalibrator;
  readonly #madCalibration: ScoreCalibrator;
  readonly #seasonal: SeasonalDetector | undefined;
  readonly #seasonalCalibration: ScoreCalibrator;
  readonly #seasonalWarmUp: number;
  readonly #refractory: Refractory;
  #samples = 0;
  #first: number | null = null;
  #varied = false;

  constructor(config: DetectionConfig) {
    this.#minSamples = config.min_samples_for_detection;
    this.#zscore = new ZScoreDetector(config.zscore_window);
    this.#mad = new MadDetector({ level: config.mad_level_window, scale: config.mad_scale_window });
    this.#zscoreCalibration = ScoreCalibrator.fromConfig(
      config,
      config.statistical_threshold_multiplier,
    );
    this.#madCalibration = ScoreCalibrator.fromConfig(config, config.mad_threshold_multiplier);
    this.#seasonalCalibration = ScoreCalibrator.fromConfig(
      config,
      config.seasonal_threshold_multiplier,
    );
    this.#seasonalWarmUp = Math.min(config.mad_scale_window, config.calibration_window);
    if (config.seasonal_periods.length > 0)
      this.#seasonal = new SeasonalDetector({
        periodsSeconds: config.seasonal_periods,
        maxBins: config.seasonal_max_bins,
        history: config.seasonal_history,
        minStrength: config.seasonal_min_strength,
        levelWindow: config.mad_level_window,
        scaleWindow: config.mad_scale_window,
      });
    this.#refractory = new Refractory(config.refractory_samples);
  }

  /** The series' confirmed period in seconds, or null. */
  get periodSeconds(): number | null {
    return this.#seasonal?.periodSeconds ?? null;
  }

  get ready(): boolean {
    return this.#samples >= this.#minSamples;
  }

  /** True once the series has taken two different values. */
  get varied(): boolean {
    return this.#varied;
  }

  /**
   * Feeds one finite value taken at `timestampMs` (the seasonal detector places it by
   * phase). Until the warm-up is over the scores are 0.
   */
  update(value: number, timestampMs: number): SeriesScores {
    if (this.#first === null) this.#first = value;
    else if (value !== this.#first) this.#varied = true;
    const ready = this.ready;
    const zRaw = this.#zscore.update(value);
    const { raw: madRaw, residual } = this.#mad.update(value);
    const seasonal = this.#seasonal?.update(timestampMs, value, spreadFloor(this.#zscore.mean));
    this.#samples += 1;
    // Counted before this residual joins: the calibration holds at most its window, which
    // may be no longer than the warm-up.
    const seasonalWarm = this.#seasonalCalibration.samples >= this.#seasonalWarmUp;
    const seasonalScore = seasonal?.active ? this.#seasonalCalibration.score(seasonal.raw) : 0;
    if (!ready) return { value, zscore: 0, mad: 0, seasonal: 0, score: 0, residual: 0, ready };
    const zscore = this.#zscoreCalibration.score(zRaw);
    const mad = this.#madCalibration.score(madRaw);
    // It judges once the period is confirmed and its calibration has seen as many
    // residuals as the robust scale window holds (1000 samples: 3.5 days at 5 minutes).
    const seasonalJudges = seasonal?.active === true && seasonalWarm;
    const seasonalActive = seasonalJudges ? seasonalScore : 0;
    // Once it judges, the seasonal detector is the series' model: the level detectors
    // take every daily edge (a job starting, the morning rush) for a level shift, while
    // a spike or a shift off the daily pattern leaves the seasonal range as well. They
    // are still computed and exported, but no longer drive the series' score, and the
    // forest's feature becomes the seasonal residual.
    const outside = seasonal?.residual !== 0;
    const score = this.#refractory.apply(
      seasonalJudges && !outside ? seasonalActive : Math.max(zscore, mad, seasonalActive),
    );
    const feature = seasonalJudges ? (seasonal?.residual ?? 0) : residual;
    return { value, zscore, mad, seasonal: seasonalActive, score, residual: feature, ready };
  }

  save(): SeriesState {
    return {
      samples: this.#samples,
      first: this.#first,
      varied: this.#varied,
      zscore: this.#zscore.save(),
      mad: this.#mad.save(),
      zscore_calibration: this.#zscoreCalibration.save(),
      mad_calibration: this.#madCalibration.save(),
      seasonal: this.#seasonal?.save() ?? null,
      seasonal_calibration: this.#seasonalCalibration.save(),
      refractory: this.#refractory.save(),
    };
  }

  restore(state: SeriesState): void {
    this.#samples = state.samples;
    this.#first = state.first;
    this.#varied = state.varied;
    this.#zscore.restore(state.zscore);
    this.#mad.restore(state.mad);
    this.#zscoreCalibration.restore(state.zscore_calibration);
    this.#madCalibration.restore(state.mad_calibration);
    if (state.seasonal) this.#seasonal?.restore(state.seasonal);
    this.#seasonalCalibration.restore(state.seasonal_calibration);
    this.#refractory.restore(state.refractory);
  }
}
