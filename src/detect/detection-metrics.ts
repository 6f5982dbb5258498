/**
 * The detector's Prometheus metrics. Names are pinned: alert rules and the dashboard
 * use them. Scores are normalised so that 1.0 is each detector's threshold.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** The detectors that score each series; the forest and the composite score the host. */
export const SERIES_DETECTORS = ['zscore', 'mad', 'seasonal'] as const;
const DETECTORS = [...SERIES_DETECTORS, 'iforest', 'composite'] as const;

export class DetectionMetrics {
  readonly score: Gauge<'detector' | 'metric'>;
  readonly anomalous: Gauge<'metric'>;
  readonly onsets: Counter<'metric'>;
  readonly ready: Gauge<'detector'>;
  readonly samples: Counter<'detector'>;
  readonly lastFit: Gauge;
  readonly fitDuration: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.score = new Gauge({
      name: 'aegis_anomaly_score',
      help: 'Normalised anomaly score of a series (zscore, mad, seasonal) or of the host (iforest, composite); above 1 is anomalous. Held at least at its peak for detection.anomaly_hold after an onset.',
      labelNames: ['detector', 'metric'],
      registers,
    });
    this.anomalous = new Gauge({
      name: 'aegis_anomalous',
      help: 'Whether the series (or metric="host", the composite) is anomalous (1) or not (0); stays 1 for detection.anomaly_hold after an onset.',
      labelNames: ['metric'],
      registers,
    });
    this.onsets = new Counter({
      name: 'aegis_anomalies_detected_total',
      help: 'Anomaly onsets (transitions to anomalous, not anomalous samples) per series and for the host.',
      labelNames: ['metric'],
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
      help: 'Samples the detector has scored or learned from (series values for zscore/mad/seasonal, host rows for iforest/composite).',
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

  /** Drops every child of a series that is gone, so it vanishes from /metrics. */
  removeSeries(metric: string): void {
    for (const detector of SERIES_DETECTORS) this.score.remove({ detector, metric });
    this.anomalous.remove({ metric });
    this.onsets.remove({ metric });
  }
}
