import type { SeriesId } from './series-id.js';

/** What the detector tells the rest of the agent when an anomaly starts or ends. */
export interface AnomalyEvent {
  /** `onset` when a series (or the host composite) crosses above 1, `resolved` when it falls back. */
  kind: 'onset' | 'resolved';
  /**
   * The series judged: its name and its source's labels, e.g. `cpu_utilisation`,
   * `probe_duration_seconds` {target: 'api'}, or `host` for the composite.
   */
  series: SeriesId;
  /** The detector whose score crossed: one of the per-series detectors, or `composite` (the host). */
  detector: string;
  /** The series' value at the crossing. */
  value: number;
  /** The normalised score at the crossing (1.0 is the decision threshold). */
  score: number;
  timestamp_ms: number;
}
