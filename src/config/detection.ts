/** The `detection` section: the streaming statistical detectors and the Isolation Forest. */
import { z } from 'zod';

export const detectionSchema = z.strictObject({
  /** Run the anomaly detectors on every snapshot. @default true */
  enabled: z.boolean().default(true),
  /** Expected share of anomalies in the forest's training data; sets its decision threshold. @default 0.1 */
  isolation_contamination: z.number().gt(0).max(0.5).default(0.1),
  /** Number of trees in the Isolation Forest. @default 100 */
  isolation_n_estimators: z.number().int().min(1).max(1000).default(100),
  /** Standard deviations from the rolling mean that the z-score detector calls anomalous. @default 3.0 */
  statistical_threshold_multiplier: z.number().gt(0).default(3.0),
  /** Samples a detector needs before it scores. @default 50 */
  min_samples_for_detection: z.number().int().min(2).default(50),
});

export type DetectionConfig = z.output<typeof detectionSchema>;
export type DetectionConfigInput = z.input<typeof detectionSchema>;
