/**
 * The corpus as NAB's scorer sees it: for each labelled data file, its number of rows
 * and its anomaly windows as row ranges. A window's limits are timestamps in
 * `labels_windows.json` that must occur in the data file (NAB's labeler refuses a
 * label file otherwise); NAB locates them by exact timestamp match, so do we.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTimestamp } from '../../src/detect/csv.js';

/** An anomaly window: the indices of its first and last rows, both included. */
export interface Window {
  first: number;
  last: number;
}

/** One labelled data file. */
export interface LabelledFile {
  /** `FOLDER/FILE.csv`, the key of `labels_windows.json` and the path under `data/`. */
  key: string;
  /** Rows in the data file (header excluded). */
  rowCount: number;
  /** The file's windows in time order, not overlapping. */
  windows: Window[];
}

/** The contents of `labels_windows.json`: per file key, windows as `[start, end]` timestamps. */
export type WindowLabels = Record<string, [string, string][]>;

function timeOf(text: string, where: string): number {
  const ms = parseTimestamp(text.trim());
  if (ms === undefined) throw new Error(`${where}: unreadable timestamp ${JSON.stringify(text)}`);
  return ms;
}

/** The timestamps (epoch ms) of a `timestamp,value` CSV's rows, in file order. */
export function dataTimestamps(file: string, text: string): number[] {
  const lines = text.split(/\r?\n/).filter((line) => line !== '');
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const column = header.indexOf('timestamp');
  if (column < 0) throw new Error(`${file}: no "timestamp" column in the header`);
  return lines.slice(1).map((line, i) => timeOf(line.split(',')[column] ?? '', `${file}:${i + 2}`));
}

/** Turns one file's `[start, end]` labels into row ranges; throws on a missing or disordered limit. */
export function windowRows(
  key: string,
  timestamps: readonly number[],
  labels: readonly [string, string][],
): Window[] {
  const rowOf = (text: string): number => {
    const row = timestamps.indexOf(timeOf(text, key));
    if (row < 0) throw new Error(`${key}: window limit ${text} is not a timestamp of the file`);
    return row;
  };
  const windows = labels.map(([start, end]) => ({ first: rowOf(start), last: rowOf(end) }));
  windows.forEach((window, i) => {
    const previous = windows[i - 1];
    if (window.last < window.first || (previous && window.first <= previous.last))
      throw new Error(`${key}: windows must be in time order and must not overlap`);
  });
  return windows;
}

/** Reads `labels_windows.json` and every data file it names, sorted by key. */
export async function loadCorpus(dataDir: string): Promise<LabelledFile[]> {
  const labels = JSON.parse(
    await readFile(join(dataDir, 'labels_windows.json'), 'utf8'),
  ) as WindowLabels;
  const keys = Object.keys(labels).sort();
  return Promise.all(
    keys.map(async (key) => {
      const path = join(dataDir, 'data', key);
      const timestamps = dataTimestamps(path, await readFile(path, 'utf8'));
      return {
        key,
        rowCount: timestamps.length,
        windows: windowRows(key, timestamps, labels[key] ?? []),
      };
    }),
  );
}
