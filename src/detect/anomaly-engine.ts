/**
 * The live detector: fed one snapshot per collection round, it derives the series,
 * runs the streaming core, exports the scores, logs and returns onsets and
 * resolutions, and keeps its state across restarts. observe() is synchronous and
 * cheap; forest training happens in a worker thread.
 */
import type { Registry } from 'prom-client';
import type { Snapshot } from '../collect/snapshot.js';
import type { DetectionConfig } from '../config/detection.js';
import type { Logger } from '../logger.js';
import type { AnomalyEvent } from './anomaly-event.js';
import { DetectionMetrics } from './detection-metrics.js';
import { DetectorCore, type RowResult } from './detector-core.js';
import { DetectorStateError } from './detect-errors.js';
import { loadState, saveState } from './detector-state.js';
import { FeatureExtractor } from './feature-extractor.js';
import {
  HOST_SERIES,
  type SeriesId,
  type SeriesLabels,
  seriesLabels,
  seriesText,
} from './series-id.js';
import { ScoreHold } from './score-hold.js';
import { type FitResult, type ForestTrainer, WorkerForestTrainer } from './forest-trainer.js';
import { SERIES_TESTS, type SeriesScores, type SeriesTest } from './series-detector.js';

export interface AnomalyEngineOptions {
  config: DetectionConfig;
  registry: Registry;
  logger: Logger;
  /** Who trains the forest; a worker thread unless given (tests train in line). */
  trainer?: ForestTrainer;
}

export interface AnomalyEngineStatus {
  /** Onsets of the host composite since start: incidents, not anomalous samples. */
  anomalies_detected: number;
  /** True once some detector has finished its warm-up. */
  ready: boolean;
  host_score: number;
  /** The series that drove the host's score last round, as labels: `{series, mountpoint?, ...}`. */
  top_series: SeriesLabels | null;
  /** Series exported: those whose value has varied. */
  series: number;
  /** Of `series`, those past their warm-up (`min_samples_for_detection`): judged now. */
  series_ready: number;
  /** The series (and `host`) anomalous now, highest score first. */
  anomalous: CurrentAnomaly[];
}

/** A series anomalous now: since its onset, with its peak score since then (as exported). */
export interface CurrentAnomaly {
  series: SeriesLabels;
  /** ISO time of the onset. */
  since: string;
  score: number;
}

/** The test with the largest score: the one blamed for the series' onset. */
function strongest(scores: SeriesScores): SeriesTest {
  let best: SeriesTest = SERIES_TESTS[0];
  for (const name of SERIES_TESTS) if (scores[name] > scores[best]) best = name;
  return best;
}

export class AnomalyEngine {
  readonly #config: DetectionConfig;
  readonly #logger: Logger;
  readonly #metrics: DetectionMetrics;
  readonly #trainer: ForestTrainer;
  readonly #extractor = new FeatureExtractor();
  readonly #core: DetectorCore;
  /** Holds the exported anomaly state for `anomaly_hold` after an onset (see ScoreHold). */
  readonly #hold: ScoreHold;
  /** Every series whose source was listed in the last round, by key. */
  readonly #ids = new Map<string, SeriesId>();
  /** Series (and `host`) anomalous after the last round, by key. */
  readonly #anomalous = new Map<string, { id: SeriesId; sinceMs: number; score: number }>();
  /** Series exported to /metrics (they have varied at least once). */
  readonly #exported = new Set<string>();
  /** Detectors whose ready gauge is already 1. */
  readonly #readyDetectors = new Set<string>();
  #onsets = 0;
  #last: RowResult | undefined;
  #saveTimer: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();
  #stopped = false;
  #overflowLogged = false;

  constructor(options: AnomalyEngineOptions) {
    this.#config = options.config;
    this.#logger = options.logger;
    this.#metrics = new DetectionMetrics(options.registry);
    this.#trainer = options.trainer ?? new WorkerForestTrainer(options.logger);
    this.#core = new DetectorCore(options.config, this.#trainer);
    this.#hold = new ScoreHold(options.config.anomaly_hold);
    this.#metrics.initOnsets(HOST_SERIES);
  }

  /** Restores saved state when configured; a missing, corrupt or incompatible file is logged, never thrown. */
  async start(): Promise<void> {
    const file = this.#config.state_file;
    if (file === undefined) return;
    try {
      const state = await loadState(file, this.#config);
      if (state) {
        this.#core.restore(state);
        this.#logger.info(
          { event: 'detector_state_restored', file, series: Object.keys(state.series).length },
          'detector state restored',
        );
      } else {
        this.#logger.info(
          { event: 'detector_state_reset', file, reason: 'no state file yet' },
          'detector starts fresh',
        );
      }
    } catch (error) {
      const setting = error instanceof DetectorStateError ? error.setting : undefined;
      this.#logger.warn(
        {
          event: 'detector_state_reset',
          file,
          reason: (error as Error).message,
          ...(setting ? { setting } : {}),
        },
        'detector state unusable; starting fresh',
      );
    }
    this.#saveTimer = setInterval(() => void this.#save(), this.#config.state_save_interval * 1000);
    this.#saveTimer.unref();
  }

  observe(snapshot: Snapshot): AnomalyEvent[] {
    if (this.#stopped) return [];
    const { values, present } = this.#extractor.extract(snapshot);
    this.#dropVanished(present);
    for (const [key, id] of present) this.#ids.set(key, id);
    const admitted = this.#admit(values);
    const result = this.#core.step(snapshot.timestamp_ms, admitted);
    this.#last = result;
    if (result.fitted) this.#recordFit(result.fitted);
    const events: AnomalyEvent[] = [];
    if (result.series.size > 0)
      for (const name of SERIES_TESTS)
        this.#metrics.samples.inc({ detector: name }, result.series.size);
    for (const [key, scores] of result.series) {
      // Every judged series was listed this round (its value came from the extractor).
      const id = this.#ids.get(key) ?? { name: key, labels: {} };
      const anomalous = this.#exportSeries(key, id, scores, result.timestamp_ms);
      this.#transition(
        events,
        key,
        id,
        strongest(scores),
        scores.value,
        scores.score,
        anomalous,
        result.timestamp_ms,
      );
    }
    const anomalous = this.#exportHost(result);
    const topValue = result.top_metric ? result.series.get(result.top_metric)?.value : undefined;
    this.#transition(
      events,
      HOST_SERIES.name,
      HOST_SERIES,
      'composite',
      topValue ?? result.composite,
      result.composite,
      anomalous,
      result.timestamp_ms,
      this.#topSeries(result),
    );
    return events;
  }

  /** Bounds label cardinality: series beyond max_series are not judged. */
  #admit(values: Map<string, number>): Map<string, number> {
    // Room for every value, even were each a new series.
    let room = this.#config.max_series - this.#core.seriesCount;
    if (values.size <= room) return values;
    const admitted = new Map<string, number>();
    for (const [name, value] of values) {
      if (this.#core.seriesDetector(name)) admitted.set(name, value);
      else if (room > 0) {
        // A gap (NaN) starts no series, so it takes no room.
        if (Number.isFinite(value)) room -= 1;
        admitted.set(name, value);
      } else if (!this.#overflowLogged) {
        this.#overflowLogged = true;
        this.#logger.warn(
          {
            event: 'detector_series_limit',
            max_series: this.#config.max_series,
            ...seriesLabels(this.#ids.get(name) ?? { name, labels: {} }),
          },
          'too many series; new ones are not judged',
        );
      }
    }
    return admitted;
  }

  #dropVanished(present: Map<string, SeriesId>): void {
    for (const key of [...this.#core.seriesNames()]) {
      if (present.has(key)) continue;
      this.#core.forget(key);
      this.#exported.delete(key);
      this.#anomalous.delete(key);
      this.#hold.forget(key);
      const id = this.#ids.get(key);
      // A series restored from saved state but never listed since was never exported.
      if (id) this.#metrics.removeSeries(id);
    }
    for (const key of this.#ids.keys()) if (!present.has(key)) this.#ids.delete(key);
  }

  /** The series that drove the host's score, as labels; null when nothing scored. */
  #topSeries(result: RowResult): SeriesId | null {
    const key = result.top_metric;
    if (key === null) return null;
    return this.#ids.get(key) ?? { name: key, labels: {} };
  }

  /** Exports a series' (held) scores; returns whether it is anomalous this round. */
  #exportSeries(key: string, id: SeriesId, scores: SeriesScores, timestampMs: number): boolean {
    const detector = this.#core.seriesDetector(key);
    const exported = new Map<string, number>(SERIES_TESTS.map((test) => [test, scores[test]]));
    const anomalous = this.#hold.apply(key, timestampMs, scores.onset, scores.score, exported);
    // A series that has only ever had one value (a full disk that never changes, a
    // probe that always succeeds) is judged but not exported until it moves.
    if (!detector?.varied) return anomalous;
    // Its onset counter starts at 0, so that increase() counts the series' first onset.
    if (!this.#exported.has(key)) this.#metrics.initOnsets(id);
    this.#exported.add(key);
    for (const [name, value] of exported) this.#metrics.setScore(id, name, value);
    this.#metrics.setAnomalous(id, anomalous);
    if (scores.ready) for (const name of ['range', 'shape', 'composite']) this.#markReady(name);
    if (scores.ready && detector.seasonalPeriod !== null) this.#markReady('seasonal');
    return anomalous;
  }

  /** Sets a detector's ready gauge to 1 and logs it, once: it never goes back to 0. */
  #markReady(detector: string): void {
    if (this.#readyDetectors.has(detector)) return;
    this.#readyDetectors.add(detector);
    this.#metrics.ready.set({ detector }, 1);
    this.#logger.info({ event: 'detector_ready', detector }, `${detector} detector ready`);
  }

  /** Exports the host's scores (the composite held, the forest raw); returns whether the host is anomalous. */
  #exportHost(result: RowResult): boolean {
    this.#metrics.samples.inc({ detector: 'composite' });
    if (this.#core.forest) {
      this.#metrics.samples.inc({ detector: 'iforest' });
      this.#markReady('iforest');
      this.#metrics.setScore(HOST_SERIES, 'iforest', result.iforest);
    }
    const exported = new Map([['composite', result.composite]]);
    const anomalous = this.#hold.apply(
      HOST_SERIES.name,
      result.timestamp_ms,
      result.onset,
      result.composite,
      exported,
    );
    this.#metrics.setScore(HOST_SERIES, 'composite', exported.get('composite') ?? result.composite);
    this.#metrics.setAnomalous(HOST_SERIES, anomalous);
    return anomalous;
  }

  #transition(
    events: AnomalyEvent[],
    key: string,
    id: SeriesId,
    detector: string,
    value: number,
    score: number,
    is: boolean,
    timestampMs: number,
    top?: SeriesId | null,
  ): void {
    const current = this.#anomalous.get(key);
    // While held, the exported scores keep their peak since the onset.
    if (current && is) current.score = Math.max(current.score, score);
    if ((current !== undefined) === is) return;
    const event: AnomalyEvent = {
      kind: is ? 'onset' : 'resolved',
      series: id,
      detector,
      value,
      score,
      timestamp_ms: timestampMs,
    };
    events.push(event);
    const fields = {
      ...seriesLabels(id),
      value,
      score,
      detector,
      ...(top ? { top_series: seriesLabels(top) } : {}),
    };
    const text = seriesText(id);
    if (is) {
      this.#anomalous.set(key, { id, sinceMs: timestampMs, score });
      this.#metrics.countOnset(id);
      if (id === HOST_SERIES) this.#onsets += 1;
      this.#logger.warn({ event: 'anomaly_detected', ...fields }, `anomaly in ${text}`);
    } else {
      this.#anomalous.delete(key);
      this.#logger.info({ event: 'anomaly_resolved', ...fields }, `${text} back to normal`);
    }
  }

  #recordFit(fit: FitResult): void {
    this.#metrics.lastFit.set(fit.finished_at_ms / 1000);
    this.#metrics.fitDuration.set(fit.duration_seconds);
    this.#logger.info(
      {
        event: 'isolation_forest_fitted',
        samples: fit.samples,
        features: fit.model.columns.length,
        trees: fit.model.trees.length,
        duration_seconds: fit.duration_seconds,
      },
      'isolation forest fitted',
    );
  }

  status(): AnomalyEngineStatus {
    const top = this.#last ? this.#topSeries(this.#last) : null;
    return {
      anomalies_detected: this.#onsets,
      ready: [...this.#core.seriesNames()].some((name) => this.#core.seriesDetector(name)?.ready),
      host_score: this.#last?.composite ?? 0,
      top_series: top ? seriesLabels(top) : null,
      series: this.#exported.size,
      series_ready: [...this.#exported].filter((key) => this.#core.seriesDetector(key)?.ready)
        .length,
      anomalous: [...this.#anomalous.values()]
        .map(({ id, sinceMs, score }) => ({
          series: seriesLabels(id),
          since: new Date(sinceMs).toISOString(),
          score,
        }))
        .sort((a, b) => b.score - a.score),
    };
  }

  /** Saves once; overlapping calls wait for the save in progress. */
  #save(): Promise<void> {
    const file = this.#config.state_file;
    if (file === undefined) return Promise.resolve();
    this.#saving = this.#saving.then(async () => {
      try {
        await saveState(file, this.#config, this.#core.saveText());
        this.#logger.info({ event: 'detector_state_saved', file }, 'detector state saved');
      } catch (error) {
        this.#logger.warn(
          { event: 'detector_state_save_failed', file, err: error },
          'detector state not saved',
        );
      }
    });
    return this.#saving;
  }

  /** Saves state and stops the worker. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearInterval(this.#saveTimer);
    await this.#save();
    await this.#trainer.close();
  }
}
