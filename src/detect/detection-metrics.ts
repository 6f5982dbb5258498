/**
 * The detector's Prometheus metrics. Names are pinned: alert rules and the dashboard
 * use them. Scores are normalised so that 1.0 is each detector's threshold. A series is
 * labelled `series` (its name, or `host` for the composite) plus its source's labels
 * (mountpoint, device, target, container); prom-client leaves out the labels a series
 * does not have, so none is ever exported empty.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { SERIES_TESTS } from './series-detector.js';
import { SERIES_LABELS, type SeriesId, seriesLabels } from './series-id.js';

/** The tests that score each series (range, shape, seasonal); the forest and the composite score the host. */
const DETECTORS = [...SERIES_TESTS, 'iforest', 'composite'] as const;

const LABELS = ['series', ...SERIES_LABELS] as const;
type Label = (typeof LABELS)[number];

export class DetectionMetrics {
  readonly score: Gauge<Label | 'detector'>;
  readonly anomalous: Gauge<Label>;
  readonly onsets: Counter<Label>;
  readonly ready: Gauge<'detector'>;
  readonly samples: Counter<'detector'>;
  readonly lastFit: Gauge;
  readonly fitDuration: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.score = new Gauge({
      name: 'aegis_anomaly_score',
      help: 'Normalised anomaly score of a series (per-series detectors) or of the host (series="host": iforest, composite); above 1 is anomalous. Held at least at its peak for detection.anomaly_hold after an onset. The decision is aegis_anomalous.',
      labelNames: [...LABELS, 'detector'],
      registers,
    });
    this.anomalous = new Gauge({
      name: 'aegis_anomalous',
      help: 'The agent\'s decision: whether the series (or series="host", the composite) is anomalous (1) or not (0); stays 1 for detection.anomaly_hold after an onset.',
      labelNames: LABELS,
      registers,
    });
    this.onsets = new Counter({
      name: 'aegis_anomalies_detected_total',
      help: 'Anomaly onsets (transitions to anomalous, not anomalous samples) per series and for the host.',
      labelNames: LABELS,
      registers,
    });
    this.ready = new Gauge({
      name: 'aegis_detector_ready',
      help: 'Whether the detector has finished its warm-up and scores (1) or not yet (0).',
      labelNames: ['detector'],
      registers,
    });
    this.samples = new Counter({
      name: 'aegis_detector_samples_total',
      help: 'Samples the detector has scored or learned from (series values for the per-series detectors, host rows for iforest/composite).',
      labelNames: ['detector'],
      registers,
    });
    this.lastFit = new Gauge({
      name: 'aegis_isolation_forest_last_fit_timestamp_seconds',
      help: 'Unix time when the current Isolation Forest finished training; 0 before the first fit.',
      registers,
    });
    this.fitDuration = new Gauge({
      name: 'aegis_isolation_forest_fit_duration_seconds',
      help: 'How long training the current Isolation Forest took.',
      registers,
    });
    for (const detector of DETECTORS) {
      this.ready.set({ detector }, 0);
      this.samples.inc({ detector }, 0);
    }
    this.lastFit.set(0);
    this.fitDuration.set(0);
  }

  setScore(id: SeriesId, detector: string, value: number): void {
    this.score.set({ ...seriesLabels(id), detector }, value);
  }

  setAnomalous(id: SeriesId, anomalous: boolean): void {
    this.anomalous.set(seriesLabels(id), anomalous ? 1 : 0);
  }

  /** Exports a series' onset counter at 0 before its first onset. */
  initOnsets(id: SeriesId): void {
    this.onsets.inc(seriesLabels(id), 0);
  }

  countOnset(id: SeriesId): void {
    this.onsets.inc(seriesLabels(id));
  }

  /** Drops every child of a series that is gone, so it vanishes from /metrics. */
  removeSeries(id: SeriesId): void {
    const labels = seriesLabels(id);
    for (const detector of SERIES_TESTS) this.score.remove({ ...labels, detector });
    this.anomalous.remove(labels);
    this.onsets.remove(labels);
  }
}
