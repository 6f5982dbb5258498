/**
 * A detector's results in NAB's layout: `FOLDER/FILE.csv` (or NAB's own
 * `FOLDER/DETECTOR_FILE.csv`) with one row per data row and an `anomaly_score`
 * column; other columns are ignored. NAB's per-profile `*_scores.csv` summaries
 * that may sit in the same tree are skipped, as NAB skips them.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** A detector's anomaly scores per data file key (`FOLDER/FILE.csv`), one per data row. */
export type ScoresByKey = Map<string, number[]>;

/** The scores read from a results tree, and the result files that match no data file. */
export interface ResultsRead {
  scores: ScoresByKey;
  unmatched: string[];
}

/**
 * The data file key a result file stands for: the key in the same folder whose file
 * name is the result's name or its `_`-separated suffix (the longest such, if several).
 */
export function matchResultFile(resultPath: string, keys: readonly string[]): string | undefined {
  const slash = resultPath.lastIndexOf('/');
  const folder = resultPath.slice(0, slash + 1);
  const name = resultPath.slice(slash + 1);
  const matching = keys.filter((key) => {
    if (!key.startsWith(folder) || key.slice(folder.length).includes('/')) return false;
    const dataName = key.slice(folder.length);
    return name === dataName || name.endsWith(`_${dataName}`);
  });
  return matching.sort((a, b) => b.length - a.length)[0];
}

/** The `anomaly_score` column of a results CSV, found by its header name. */
export function parseAnomalyScores(file: string, text: string): number[] {
  const lines = text.split(/\r?\n/).filter((line) => line !== '');
  const column = (lines[0] ?? '')
    .split(',')
    .map((name) => name.trim())
    .indexOf('anomaly_score');
  if (column < 0) throw new Error(`${file}: no "anomaly_score" column in the header`);
  return lines.slice(1).map((line, i) => {
    const cell = line.split(',')[column]?.trim() ?? '';
    const score = Number(cell);
    if (cell === '' || Number.isNaN(score))
      throw new Error(`${file}:${i + 2}: unreadable anomaly_score ${JSON.stringify(cell)}`);
    return score;
  });
}

/** Reads every result file under `resultsDir` that matches one of the data file `keys`. */
export async function readResults(
  resultsDir: string,
  keys: readonly string[],
): Promise<ResultsRead> {
  const paths = (await readdir(resultsDir, { recursive: true }))
    .map((path) => path.split('\\').join('/'))
    .filter((path) => path.endsWith('.csv') && !path.includes('_scores.csv'))
    .sort();
  const scores: ScoresByKey = new Map();
  const unmatched: string[] = [];
  for (const path of paths) {
    const key = matchResultFile(path, keys);
    if (key === undefined) {
      unmatched.push(path);
      continue;
    }
    if (scores.has(key)) throw new Error(`${resultsDir}: two result files for ${key}`);
    const file = join(resultsDir, path);
    scores.set(key, parseAnomalyScores(file, await readFile(file, 'utf8')));
  }
  return { scores, unmatched };
}

/** Writes NAB-format results (`timestamp,value,anomaly_score`) for the data files under `dataDir/data`. */
export async function writeResults(
  outDir: string,
  dataDir: string,
  scores: ScoresByKey,
): Promise<void> {
  for (const [key, fileScores] of scores) {
    const lines = (await readFile(join(dataDir, 'data', key), 'utf8'))
      .split(/\r?\n/)
      .filter((line) => line !== '');
    const rows = lines.slice(1).map((line, i) => `${line},${String(fileScores[i])}`);
    const target = join(outDir, key);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, [`${lines[0]},anomaly_score`, ...rows, ''].join('\n'));
  }
}
