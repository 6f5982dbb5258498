/**
 * The `detection` section: the per-series tests (range, shape, seasonal), their one
 * decision, and the Isolation Forest. Windows are counted in samples (one per
 * collection round, or one per backtest row), so the live agent and the backtest
 * behave alike whatever the sampling interval.
 */
import { z } from 'zod';
import { duration } from './duration.js';

export const detectionSchema = z.strictObject({
  /** Run the anomaly detectors on every snapshot. @default true */
  enabled: z.boolean().default(true),
  /**
   * Samples a series needs before it is judged. The tests learn from these samples;
   * the shape and seasonal tests calibrate on their blocks. @default 300
   */
  min_samples_for_detection: z.number().int().min(2).default(300),
  /**
   * The range test's threshold: a value beyond every earlier one fires when it exceeds
   * the range by more than this many n-ths of it after n samples (a steady trend or
   * noise exceeds it by about one n-th). @default 5
   */
  range_tolerance: z.number().gt(0).default(5),
  /**
   * While the previous record on the same side is under this many samples old, the range
   * test's bar is this many times higher: a series that keeps setting records (a filling
   * disk, a drift) is trending, and only a jump well clear of the trend is news. @default 200
   */
  range_quiet_samples: z.number().int().min(1).max(1_000_000).default(200),
  /**
   * Where samples are taken less than this apart, a range breach must hold for two samples
   * in a row: one instant beyond the range (a GC pause, a scheduling hiccup) is a blip,
   * while one sample of a minute or more already stands for that minute. 0 confirms
   * nothing. @default 1m
   */
  range_confirm_below: duration({ min: 0, max: 86_400 }).default(60),
  /** Samples per block: the shape and seasonal tests judge one block of this many samples at a time. @default 6 */
  block_samples: z.number().int().min(1).max(1000).default(6),
  /** Blocks in the window whose shape the shape and seasonal tests compare. @default 6 */
  shape_window: z.number().int().min(2).max(100).default(6),
  /** Blocks of history the shape test searches for a similar window. @default 1000 */
  shape_history: z.number().int().min(16).max(4096).default(1000),
  /**
   * Blocks whose novelties set the shape and seasonal tests' bar (their largest); the
   * shape test judges once it has this many. @default 400
   */
  novelty_calibration: z.number().int().min(2).max(4096).default(400),
  /** Factor over the bar a shape novelty must exceed. @default 1.0 */
  shape_margin: z.number().gt(0).default(1.0),
  /**
   * Period of the seasonal test, which compares a window with the same time of the three
   * periods before; 0 turns it off. It runs only where three periods fit in 10,240 blocks
   * (at the default 6 samples a block: a sampling interval of 2 s or more for 1d). @default 1d
   */
  seasonal_period: duration({ min: 0, max: 31_536_000 }).default(86_400),
  /**
   * Strength a series' period needs before the seasonal test judges it: 1 − mean distance
   * to a period ago / mean distance to half a period ago (1 a perfect cycle, 0 none). @default 0.4
   */
  seasonal_min_strength: z.number().gt(0).lt(1).default(0.4),
  /** Factor over the bar a seasonal novelty must exceed. @default 1.2 */
  seasonal_margin: z.number().gt(0).default(1.2),
  /**
   * After an onset, samples during which the same series does not start another one,
   * whatever its tests say: one incident is one alarm. @default 200
   */
  alarm_rest_samples: z.number().int().min(0).max(1_000_000).default(200),
  /**
   * Expected share of anomalous rows among the host's rows, as in the original design: the
   * Isolation Forest's decision threshold is this quantile of its training rows' scores,
   * and a row scoring above it is anomalous. 0.1 makes one ordinary row in ten an alarm;
   * the default only flags rows more isolated than nearly every row the forest trained on.
   * @default 0.0001
   */
  isolation_contamination: z.number().gt(0).max(0.5).default(0.0001),
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
  /**
   * After an onset, how long the live export keeps `aegis_anomalous` at 1 and each
   * `aegis_anomaly_score` at least at its peak since the onset, renewed while a test stays
   * above 1, so that a Prometheus scrape every 15 s cannot miss an anomaly that lasted one
   * collection round; `anomaly_resolved` comes when the hold has ended and every score is
   * back under 1. The backtest scores onsets, without hold. @default 1m
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
