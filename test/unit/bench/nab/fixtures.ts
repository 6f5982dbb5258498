import type { LabelledFile, Window } from '../../../../bench/nab/labels.js';

/** A labelled file of `rowCount` rows with the given windows. */
export function labelledFile(key: string, rowCount: number, windows: Window[] = []): LabelledFile {
  return { key, rowCount, windows };
}

/** `rowCount` anomaly scores, 0 except at the given rows. */
export function scores(rowCount: number, at: Record<number, number> = {}): number[] {
  return Array.from({ length: rowCount }, (_, row) => at[row] ?? 0);
}
