/**
 * The project's detector as a NAB detector: the backtest with the shipped default
 * detection settings, scored by its decision: 1 on a row where the agent starts an
 * anomaly, 0 elsewhere. This is the one place that knows how the detector produces
 * scores.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { detectionSchema } from '../../src/config/detection.js';
import { scoreTable } from '../../src/detect/backtest.js';
import { parseCsv } from '../../src/detect/csv.js';
import type { ScoresByKey } from './results.js';

/** Backtests each data file `dataDir/data/KEY` with the default config; scores per key. */
export async function backtestDefaults(
  dataDir: string,
  keys: readonly string[],
): Promise<ScoresByKey> {
  const config = detectionSchema.parse({});
  const scores: ScoresByKey = new Map();
  for (const key of keys) {
    const path = join(dataDir, 'data', key);
    const rows = scoreTable(parseCsv(path, await readFile(path, 'utf8')), config);
    scores.set(
      key,
      rows.map((row) => row.onset),
    );
  }
  return scores;
}
