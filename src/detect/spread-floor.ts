/**
 * The smallest spread a detector assumes, relative to the series' level: without it a
 * series that has been constant would call any change, however tiny, infinitely
 * anomalous. 1e-9 absolute keeps a constant zero from dividing by zero.
 */
export function spreadFloor(level: number): number {
  return Math.max(1e-3 * Math.abs(level), 1e-9);
}
