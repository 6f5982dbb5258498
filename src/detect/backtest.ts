/**
 * The backtest: the live streaming core run causally over a CSV, with the same
 * defaults, writing per-row scores. Each value column is a series; the forest is
 * trained in line (at the same cadence as live) so that a run is reproducible.
 */
import type { DetectionConfig } from '../config/detection.js';
import type { CsvTable } from './csv.js';
import { DetectorCore } from './detector-core.js';
import { InlineForestTrainer } from './forest-trainer.js';

export type BacktestFormat = 'scores' | 'nab';

export interface ScoredRow {
  anomaly_score: number;
  zscore: number;
  mad: number;
  seasonal: number;
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
    let zscore = 0;
    let mad = 0;
    let seasonal = 0;
    for (const scores of result.series.values()) {
      zscore = Math.max(zscore, scores.zscore);
      mad = Math.max(mad, scores.mad);
      seasonal = Math.max(seasonal, scores.seasonal);
    }
    out.push({ anomaly_score: result.composite, zscore, mad, seasonal, iforest: result.iforest });
    if (onProgress && out.length % 100_000 === 0) onProgress(out.length);
  }
  return out;
}

/** NAB wants a score in [0, 1]: s/(1+s) is monotone and puts the threshold at 0.5. */
export function nabScore(score: number): number {
  return score / (1 + score);
}

/** Shortest text that reads back as the same double, trimmed to 6 significant digits. */
function formatScore(score: number): string {
  return String(Number(score.toPrecision(6)));
}

export function renderOutput(
  table: CsvTable,
  scores: readonly ScoredRow[],
  format: BacktestFormat,
): string {
  const lines: string[] = [];
  if (format === 'nab') {
    lines.push('timestamp,value,anomaly_score');
    table.rows.forEach((row, i) => {
      const s = scores[i] as ScoredRow;
      lines.push(`${row.timestamp_text},${row.cells[0]},${formatScore(nabScore(s.anomaly_score))}`);
    });
  } else {
    lines.push(
      ['timestamp', ...table.columns, 'anomaly_score', 'zscore', 'mad', 'seasonal', 'iforest'].join(
        ',',
      ),
    );
    table.rows.forEach((row, i) => {
      const s = scores[i] as ScoredRow;
      lines.push(
        [
          row.timestamp_text,
          ...row.cells,
          ...[s.anomaly_score, s.zscore, s.mad, s.seasonal, s.iforest].map(formatScore),
        ].join(','),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
