/**
 * `npm run bench:nab -- [RESULTS_DIR] [--data DIR] [--write DIR]`: the Numenta Anomaly
 * Benchmark score of a detector, as NAB's `run.py --optimize --score --normalize`
 * computes it. RESULTS_DIR holds NAB-format results (`FOLDER/FILE.csv` with an
 * `anomaly_score` column); without it, the project's detector is backtested on the
 * data set with its default settings, and `--write DIR` saves those results.
 * The first three lines are `PROFILE SCORE`; details follow after a blank line.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backtestDefaults } from './nab/backtest-defaults.js';
import { benchmark, type ProfileResult } from './nab/benchmark.js';
import { loadCorpus } from './nab/labels.js';
import { readResults, writeResults, type ScoresByKey } from './nab/results.js';

/** The repository root: this file runs from `dist-bench/bench/`. */
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const DEFAULT_DATA_DIR = resolve(REPO_ROOT, '../shared/datasets/nab');

function detailLine({ profile, threshold, tally, nullScore, perfectScore }: ProfileResult): string {
  return (
    `${profile.name}: threshold ${threshold}, raw score ${tally.score.toFixed(4)} ` +
    `(null ${nullScore.toFixed(4)}, perfect ${perfectScore.toFixed(4)}), ` +
    `windows detected ${tally.detected}/${tally.windows}, ` +
    `rows TP ${tally.tp} FP ${tally.fp} FN ${tally.fn} TN ${tally.tn}`
  );
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { data: { type: 'string' }, write: { type: 'string' } },
    allowPositionals: true,
  });
  if (positionals.length > 1)
    throw new Error('usage: bench:nab -- [RESULTS_DIR] [--data DIR] [--write DIR]');
  const resultsDir = positionals[0];
  if (resultsDir !== undefined && values.write !== undefined)
    throw new Error('--write saves the backtest results; it does not apply with RESULTS_DIR');
  const dataDir = values.data === undefined ? DEFAULT_DATA_DIR : resolve(values.data);
  const files = await loadCorpus(dataDir);
  const keys = files.map((file) => file.key);

  let scores: ScoresByKey;
  let source: string;
  if (resultsDir === undefined) {
    scores = await backtestDefaults(dataDir, keys);
    source = 'backtest with the default detection config';
    if (values.write !== undefined) await writeResults(resolve(values.write), dataDir, scores);
  } else {
    const read = await readResults(resolve(resultsDir), keys);
    for (const path of read.unmatched)
      console.error(`warning: ${path} matches no data file, ignored`);
    for (const key of keys.filter((k) => !read.scores.has(k)))
      console.error(`warning: no result file for ${key}; NAB scores only the files it finds`);
    scores = read.scores;
    source = resultsDir;
  }

  const results = benchmark(files, scores);
  for (const result of results)
    console.log(`${result.profile.name} ${result.normalised.toFixed(2)}`);
  console.log('');
  console.log(`${source}: ${scores.size} of ${files.length} files, data ${dataDir}`);
  for (const result of results) console.log(detailLine(result));
}

await main();
