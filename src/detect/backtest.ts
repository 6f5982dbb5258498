/**
 * The backtest: the live streaming core run causally over a CSV, with the same
 * defaults, writing per-row scores and decisions. Each value column is a series; the
 * forest is trained in line (at the same cadence as live) so that a run is
 * reproducible.
 */
import type { DetectionConfig } from '../config/detection.js';
import type { CsvTable } from './csv.js';
import { DetectorCore } from './detector-core.js';
import { InlineForestTrainer } from './forest-trainer.js';
import { SERIES_TESTS, type SeriesTest } from './series-detector.js';

export type BacktestFormat = 'scores' | 'nab';

export interface ScoredRow extends Record<SeriesTest, number> {
  /** The host's decision: 1 on a row that starts an anomaly, else 0. */
  onset: 0 | 1;
  /** The host's composite score (the largest test score, or the forest's). */
  composite: number;
  iforest: number;
}

/** Runs the core over the table's rows; one ScoredRow per input row. */
export function scoreTable(
  table: CsvTable,
  config: DetectionConfig,
  onProgress?: (done: number) => void,
): ScoredRow[] {
  const core = new DetectorCore(config, new InlineForestTrainer());
  const out: ScoredRow[] = [];
  for (const row of table.rows) {
    const values = new Map<string, number>();
    table.columns.forEach((column, i) => values.set(column, row.values[i] as number));
    const result = core.step(row.timestamp_ms, values);
    const scored: ScoredRow = {
      onset: result.onset ? 1 : 0,
      composite: result.composite,
      iforest: result.iforest,
      range: 0,
      shape: 0,
      seasonal: 0,
    };
    for (const scores of result.series.values())
      for (const test of SERIES_TESTS) scored[test] = Math.max(scored[test], scores[test]);
    out.push(scored);
    if (onProgress && out.length % 100_000 === 0) onProgress(out.length);
  }
  return out;
}

/** Shortest text that reads back as the same double, trimmed to 6 significant digits. */
function formatScore(score: number): string {
  return String(Number(score.toPrecision(6)));
}

/**
 * `nab`: NAB's results format, whose anomaly_score is the agent's decision (1 on an
 * onset row, else 0), so that NAB scores the alarms the agent would raise. `scores`:
 * the decision, the composite and every test's score, per row.
 */
export function renderOutput(
  table: CsvTable,
  scores: readonly ScoredRow[],
  format: BacktestFormat,
): string {
  const lines: string[] = [];
  if (format === 'nab') {
    lines.push('timestamp,value,anomaly_score');
    table.rows.forEach((row, i) => {
      lines.push(`${row.timestamp_text},${row.cells[0]},${(scores[i] as ScoredRow).onset}`);
    });
  } else {
    const columns = ['composite', ...SERIES_TESTS, 'iforest'] as const;
    lines.push(['timestamp', ...table.columns, 'onset', ...columns].join(','));
    table.rows.forEach((row, i) => {
      const s = scores[i] as ScoredRow;
      lines.push(
        [row.timestamp_text, ...row.cells, s.onset, ...columns.map((c) => formatScore(s[c]))].join(
          ',',
        ),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
