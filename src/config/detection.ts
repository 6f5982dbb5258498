/**
 * The `detection` section: the streaming statistical detectors and the Isolation Forest.
 * Windows are counted in samples (one per collection round, or one per backtest row),
 * so the live agent and the backtest behave alike whatever the sampling interval.
 */
import { z } from 'zod';
import { duration } from './duration.js';

export const detectionSchema = z.strictObject({
  /** Run the anomaly detectors on every snapshot. @default true */
  enabled: z.boolean().default(true),
  /** Expected share of anomalies in the forest's training data; sets its decision threshold. @default 0.1 */
  isolation_contamination: z.number().gt(0).max(0.5).default(0.1),
  /** Number of trees in the Isolation Forest. @default 100 */
  isolation_n_estimators: z.number().int().min(1).max(1000).default(100),
  /** Samples drawn without replacement to grow each tree (ψ in the Isolation Forest paper). @default 256 */
  isolation_subsample_size: z.number().int().min(2).max(65_536).default(256),
  /** The forest is trained on the last this many host feature vectors. @default 2048 */
  isolation_fit_window: z.number().int().min(2).max(1_000_000).default(2048),
  /** A fresh forest is trained (off the hot path) every this many samples. @default 512 */
  isolation_refit_samples: z.number().int().min(1).max(1_000_000).default(512),
  /** Seed of the forest's random numbers, for reproducible fits. @default 1 */
  isolation_seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
  /** Standard deviations from the rolling mean that the z-score detector calls anomalous. @default 3.0 */
  statistical_threshold_multiplier: z.number().gt(0).default(3.0),
  /** Robust z (residual over 1.4826·MAD) that the median/MAD detector calls anomalous. @default 3.5 */
  mad_threshold_multiplier: z.number().gt(0).default(3.5),
  /** Samples a detector needs before it scores. @default 50 */
  min_samples_for_detection: z.number().int().min(2).default(50),
  /** Samples in the z-score detector's rolling mean and standard deviation. @default 300 */
  zscore_window: z.number().int().min(2).max(100_000).default(300),
  /** Samples in the rolling median that gives a series' current level. @default 30 */
  mad_level_window: z.number().int().min(1).max(100_000).default(30),
  /** Samples of past residuals whose median absolute value sets the robust scale. @default 1000 */
  mad_scale_window: z.number().int().min(2).max(100_000).default(1000),
  /**
   * Candidate periods of the seasonal-residual detector. Each series' period is found
   * causally: a candidate counts once the series repeats itself at that lag much better
   * than at half of it; then the value expected at the same phase of earlier periods is
   * the reference. An empty list turns the seasonal detector off. @default ["1d", "1w"]
   */
  seasonal_periods: z
    .array(duration({ min: 1, max: 31_536_000 }))
    .max(8)
    .default([86_400, 604_800]),
  /** Most phase bins per period; a bin is never narrower than the sampling interval. @default 288 */
  seasonal_max_bins: z.number().int().min(8).max(10_000).default(288),
  /** Earlier periods whose same-phase values (their median) give the expectation. @default 3 */
  seasonal_history: z.number().int().min(2).max(12).default(3),
  /**
   * Strength a candidate period needs: 1 − mean|y(t) − y(t−P)| / mean|y(t) − y(t−P/2)|
   * over a recent period (1 is a perfect cycle, 0 noise, negative a trend). @default 0.5
   */
  seasonal_min_strength: z.number().gt(0).lt(1).default(0.5),
  /** Robust z of the seasonal residual that the seasonal detector calls anomalous. @default 3.5 */
  seasonal_threshold_multiplier: z.number().gt(0).default(3.5),
  /**
   * Samples of each detector's own past raw scores; the threshold rises to a margin over
   * their high quantile, so that noisy series calibrate themselves. @default 2000
   */
  calibration_window: z.number().int().min(2).max(100_000).default(2000),
  /** Quantile of past raw scores the calibrated threshold is taken from. @default 0.995 */
  calibration_quantile: z.number().gt(0).lt(1).default(0.995),
  /** Factor over that quantile a raw score must exceed. @default 1.0 */
  calibration_margin: z.number().gt(0).default(1.0),
  /**
   * Samples after an onset during which the same detector alarms again only if the
   * deviation grows beyond its peak, so one incident is one alarm. @default 100
   */
  refractory_samples: z.number().int().min(0).max(100_000).default(100),
  /**
   * After an onset (and after every later round above 1), how long the live export keeps
   * `aegis_anomalous` at 1 and each `aegis_anomaly_score` at least at its peak since the
   * onset, so that a Prometheus scrape every 15 s cannot miss an anomaly that lasted one
   * collection round; `anomaly_resolved` comes when the hold has ended and the score is
   * back under 1. The backtest scores raw rows, without hold. @default 1m
   */
  anomaly_hold: duration({ min: 0, max: 86_400 }).default(60),
  /** Most series judged at once; further new series are ignored (and logged) to bound label cardinality. @default 1000 */
  max_series: z.number().int().min(1).max(100_000).default(1000),
  /**
   * File where detector state (statistics and forest) is saved at stop and periodically,
   * and restored at start so that a restart needs no new warm-up. Off when unset, so
   * that agents started side by side (tests, several instances) never share one file.
   * @default none (state is not persisted)
   */
  state_file: z.string().min(1).optional(),
  /** How often detector state is saved while running (it is also saved at stop). @default 5m */
  state_save_interval: duration({ min: 1, max: 86_400 }).default(300),
});

export type DetectionConfig = z.output<typeof detectionSchema>;
export type DetectionConfigInput = z.input<typeof detectionSchema>;
