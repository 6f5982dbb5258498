/**
 * NAB's application profiles (its `config/profiles.json`): how much a detected window,
 * a false alarm and a missed window weigh. NAB's true-negative weight (1 in every
 * profile) is never used by its scorer, so it is not carried here.
 */

/** The weights of one profile's cost matrix. */
export interface CostMatrix {
  /** Reward for a window detected at its very start; later detections earn less. */
  tpWeight: number;
  /** Cost of an alarm outside every window (scaled down for alarms just after one). */
  fpWeight: number;
  /** Cost of a window with no alarm in it. */
  fnWeight: number;
}

/** A named cost matrix. */
export interface Profile {
  name: string;
  costs: CostMatrix;
}

/** The three profiles NAB reports, in the order it lists them. */
export const PROFILES: readonly Profile[] = [
  { name: 'standard', costs: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0 } },
  { name: 'reward_low_FP_rate', costs: { tpWeight: 1.0, fpWeight: 0.22, fnWeight: 1.0 } },
  { name: 'reward_low_FN_rate', costs: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 2.0 } },
];
