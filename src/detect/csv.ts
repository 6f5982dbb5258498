/**
 * The backtest's CSV reader: a header with a `timestamp` column and one or more
 * numeric columns. Strict, because a silently skipped row would shift every score
 * after it: any malformed line stops the run with its file and line number. An empty
 * cell or `NaN` is a gap (the series waits), which real exports contain.
 */
import { BacktestInputError } from './detect-errors.js';

export interface CsvTable {
  /** The value columns, in file order (the timestamp column excluded). */
  columns: string[];
  rows: CsvRow[];
}

export interface CsvRow {
  /** 1-based line number in the file. */
  line: number;
  timestamp_text: string;
  timestamp_ms: number;
  /** The cells as written, in `columns` order, for echoing into the output. */
  cells: string[];
  values: number[];
}

// `2014-07-01 00:00:00`, optionally with fractional seconds, as NAB writes them (UTC).
const NAB_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;

/** Reads a timestamp: NAB style, ISO 8601 with zone, or Unix seconds/milliseconds. */
export function parseTimestamp(text: string): number | undefined {
  const nab = NAB_TIMESTAMP.exec(text);
  if (nab) {
    const [, y, mo, d, h, mi, s, frac] = nab;
    const ms = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s ?? 0),
    );
    return Number.isNaN(ms) ? undefined : ms + Math.round(Number(frac ?? 0) * 1000);
  }
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    // Ten-digit numbers are seconds (until 2286), thirteen-digit ones milliseconds.
    return n >= 1e11 ? n : n * 1000;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function parseCell(cell: string): number | undefined {
  if (cell === '' || cell === 'NaN' || cell === 'nan') return Number.NaN;
  const n = Number(cell);
  return Number.isNaN(n) ? undefined : n;
}

export function parseCsv(file: string, text: string): CsvTable {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0)
    throw new BacktestInputError(file, 1, 'empty file: expected a header line');
  const header = (lines[0] as string).split(',').map((name) => name.trim());
  const timestampIndex = header.indexOf('timestamp');
  if (timestampIndex < 0)
    throw new BacktestInputError(
      file,
      1,
      `missing column "timestamp" in header ${JSON.stringify(lines[0])}`,
    );
  const columns = header.filter((_, i) => i !== timestampIndex);
  if (columns.length === 0)
    throw new BacktestInputError(file, 1, 'expected at least one value column besides "timestamp"');
  const duplicate = header.find((name, i) => header.indexOf(name) !== i);
  if (duplicate !== undefined)
    throw new BacktestInputError(file, 1, `duplicate column "${duplicate}"`);
  if (lines.length === 1) throw new BacktestInputError(file, 2, 'no data rows after the header');
  const rows: CsvRow[] = [];
  for (let i = 1; i < lines.length; i += 1) {
    const line = i + 1;
    const fields = (lines[i] as string).split(',').map((cell) => cell.trim());
    if (fields.length !== header.length)
      throw new BacktestInputError(
        file,
        line,
        `expected ${header.length} fields, found ${fields.length}`,
      );
    const timestampText = fields[timestampIndex] as string;
    const timestampMs = parseTimestamp(timestampText);
    if (timestampMs === undefined)
      throw new BacktestInputError(
        file,
        line,
        `unparsable timestamp ${JSON.stringify(timestampText)}`,
      );
    const cells = fields.filter((_, j) => j !== timestampIndex);
    const values = cells.map((cell, j) => {
      const value = parseCell(cell);
      if (value === undefined)
        throw new BacktestInputError(
          file,
          line,
          `unparsable number ${JSON.stringify(cell)} in column "${columns[j]}"`,
        );
      return value;
    });
    rows.push({ line, timestamp_text: timestampText, timestamp_ms: timestampMs, cells, values });
  }
  return { columns, rows };
}
