/**
 * The streaming core shared by the live engine and the backtest: one step per
 * collection round (or CSV row) with the values of that round's series. It updates
 * each series' tests, scores the host's feature vector (each series' place in its
 * range) with the current forest, schedules refits, and makes the host's decision: an
 * onset when a series starts one or the forest flags the row, and the composite (the
 * largest score) to explain it. Causal: a row's scores depend only on rows up to it.
 */
import type { DetectionConfig } from '../config/detection.js';
import type { FitResult, ForestTrainer } from './forest-trainer.js';
import {
  fitSeed,
  normalisedScore,
  plainTree,
  type ForestModel,
  type IsolationTree,
} from './isolation-forest.js';
import { SeriesDetector, type SeriesScores, type SeriesState } from './series-detector.js';
import { combine } from './composite.js';
import { OnsetRest } from './onset-rest.js';
import { TrainingRows, type TrainingRowsState } from './training-rows.js';

export interface RowResult {
  timestamp_ms: number;
  /** The series that had a finite value in this row. */
  series: Map<string, SeriesScores>;
  /** The forest's score normalised to its contamination threshold (above 1 flags the row); 0 until a model exists. */
  iforest: number;
  /** The host's score, the largest of the series' scores and the forest's: above 1, something fired. */
  composite: number;
  /** The host's decision: this row starts an anomaly (a series' onset, or the forest's). */
  onset: boolean;
  /** The series that drove the composite, or null when nothing scored. */
  top_metric: string | null;
  /** A forest that finished training and is used from this row on. */
  fitted?: FitResult;
}

export interface CoreState {
  series: Record<string, SeriesState>;
  features: TrainingRowsState;
  forest: ForestModel | null;
  rows: number;
  last_forest_onset: number | null;
  since_fit: number;
  fits: number;
}

export class DetectorCore {
  readonly #config: DetectionConfig;
  readonly #trainer: ForestTrainer;
  readonly #series = new Map<string, SeriesDetector>();
  /** Feature rows of the last fit_window rounds: the forest's training set. */
  readonly #features: TrainingRows;
  #forest: ForestModel | undefined;
  /** Rows stepped, and the row of the forest's last onset (it rests as a series does). */
  #rows = 0;
  readonly #forestRest: OnsetRest;
  #sinceFit = 0;
  #fits = 0;

  constructor(config: DetectionConfig, trainer: ForestTrainer) {
    this.#config = config;
    this.#trainer = trainer;
    this.#forestRest = new OnsetRest(config.alarm_rest_samples);
    this.#features = new TrainingRows(config.isolation_fit_window);
  }

  get forest(): ForestModel | undefined {
    return this.#forest;
  }

  seriesDetector(name: string): SeriesDetector | undefined {
    return this.#series.get(name);
  }

  get seriesCount(): number {
    return this.#series.size;
  }

  seriesNames(): IterableIterator<string> {
    return this.#series.keys();
  }

  /** Drops a series that is gone (a removed container, an unmounted filesystem). */
  forget(name: string): void {
    this.#series.delete(name);
  }

  step(timestampMs: number, values: ReadonlyMap<string, number>): RowResult {
    const fitted = this.#trainer.take();
    if (fitted) this.#forest = fitted.model;
    const series = new Map<string, SeriesScores>();
    const features = new Map<string, number>();
    for (const [name, value] of values) {
      // NaN and infinities are gaps: the series keeps its state and waits for the next value.
      if (!Number.isFinite(value)) continue;
      let detector = this.#series.get(name);
      if (!detector) {
        detector = new SeriesDetector(this.#config);
        this.#series.set(name, detector);
      }
      const scores = detector.update(value, timestampMs);
      series.set(name, scores);
      // A series that has never varied carries no information for the forest (and would
      // only change its random splits): it joins the feature vector once it moves.
      if (scores.ready && detector.varied) features.set(name, scores.position);
    }
    this.#rows += 1;
    let iforest = 0;
    let forestOnset = false;
    if (this.#forest) {
      iforest = normalisedScore(this.#forest, vector(this.#forest.columns, features));
      forestOnset = this.#forestRest.decide(iforest, this.#rows);
    }
    if (features.size > 0) this.#collect(features);
    const { composite, top_metric } = combine(series, iforest, features);
    let onset = forestOnset;
    for (const scores of series.values()) onset ||= scores.onset;
    const result: RowResult = {
      timestamp_ms: timestampMs,
      series,
      iforest,
      composite,
      onset,
      top_metric,
    };
    if (fitted) result.fitted = fitted;
    return result;
  }

  #collect(features: Map<string, number>): void {
    this.#features.push(features);
    this.#sinceFit += 1;
    const first = this.#fits === 0 && this.#features.size >= this.#config.min_samples_for_detection;
    if (first || this.#sinceFit >= this.#config.isolation_refit_samples) this.#requestFit();
  }

  #requestFit(): void {
    // Ignored while the last fit is still busy: the next cadence catches up.
    this.#trainer.fit(this.#features, {
      nEstimators: this.#config.isolation_n_estimators,
      subsampleSize: this.#config.isolation_subsample_size,
      contamination: this.#config.isolation_contamination,
      seed: fitSeed(this.#config.isolation_seed, this.#fits),
    });
    this.#fits += 1;
    this.#sinceFit = 0;
  }

  save(): CoreState {
    const series: Record<string, SeriesState> = {};
    for (const [name, detector] of this.#series) series[name] = detector.save();
    return {
      series,
      features: this.#features.save(),
      forest: this.#forest ? { ...this.#forest, trees: this.#forest.trees.map(plainTree) } : null,
      rows: this.#rows,
      last_forest_onset: this.#forestRest.last,
      since_fit: this.#sinceFit,
      fits: this.#fits,
    };
  }

  /**
   * The same state as save(), as JSON text in pieces that are each cheap to make, so
   * that a save can yield to the event loop between them (see saveState). The
   * training rows and the scalars are taken when the first piece is; each series as
   * it is when its piece is taken (rounds may run in between: a series stepped since
   * is saved as it is then, a series forgotten since is left out).
   */
  *saveText(): Generator<string> {
    const head = {
      rows: this.#rows,
      last_forest_onset: this.#forestRest.last,
      since_fit: this.#sinceFit,
      fits: this.#fits,
    };
    const forest = this.#forest;
    const features = this.#features.saveText();
    // Copies the rows now, whenever the caller takes the next piece.
    const first = features.next();
    yield `${JSON.stringify(head).slice(0, -1)},"features":`;
    if (!first.done) yield first.value;
    yield* features;
    yield ',"forest":';
    if (forest) yield* forestText(forest);
    else yield 'null';
    yield ',"series":{';
    let comma = '';
    for (const name of [...this.#series.keys()]) {
      const detector = this.#series.get(name);
      if (!detector) continue;
      yield `${comma}${JSON.stringify(name)}:${JSON.stringify(detector.save())}`;
      comma = ',';
    }
    yield '}}';
  }

  restore(state: CoreState): void {
    for (const [name, saved] of Object.entries(state.series)) {
      const detector = new SeriesDetector(this.#config);
      detector.restore(saved);
      this.#series.set(name, detector);
    }
    this.#features.restore(state.features);
    this.#forest = state.forest ?? undefined;
    this.#rows = state.rows;
    this.#forestRest.last = state.last_forest_onset;
    this.#sinceFit = state.since_fit;
    this.#fits = state.fits;
  }
}

/** A forest as JSON text, a tree a piece. */
function* forestText(forest: ForestModel): Generator<string> {
  const { trees, ...rest } = forest;
  yield `${JSON.stringify(rest).slice(0, -1)},"trees":[`;
  for (let t = 0; t < trees.length; t += 1)
    yield `${t > 0 ? ',' : ''}${JSON.stringify(plainTree(trees[t] as IsolationTree))}`;
  yield ']}';
}

/** The row's features in the model's column order; a series absent this row counts as at its level (0). */
function vector(columns: readonly string[], features: ReadonlyMap<string, number>): number[] {
  return columns.map((column) => features.get(column) ?? 0);
}
