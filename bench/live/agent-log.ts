/**
 * Reading the agent's structured log (pino JSON lines on stdout): anomaly onsets and
 * resolutions. The series is named by `series` with its source's labels beside it
 * (`target`, `device`, ...), the host's onset by `top_series` (an object of the same
 * shape); older agents wrote `metric` and `top_metric`, which are read too. Pure, so it
 * is unit-tested.
 */
import { SERIES_LABELS } from '../../src/detect/series-id.js';

export interface AnomalyLogEvent {
  kind: 'onset' | 'resolved';
  /** When the agent logged it (its `time`), else when the bench read the line; Unix ms. */
  atMs: number;
  series: string;
  labels: Record<string, string>;
  detector: string;
  /** For the host composite: the series contributing most. */
  topMetric?: string;
}

/** Parses one log line; undefined for anything that is not an anomaly event. */
export function parseAnomalyLine(line: string, receivedMs: number): AnomalyLogEvent | undefined {
  if (!line.includes('"anomaly_')) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof record !== 'object' || record === null) return undefined;
  const fields = record as Record<string, unknown>;
  const kind =
    fields.event === 'anomaly_detected'
      ? 'onset'
      : fields.event === 'anomaly_resolved'
        ? 'resolved'
        : undefined;
  if (kind === undefined) return undefined;
  const series = stringField(fields.series) ?? stringField(fields.metric) ?? '(unnamed)';
  const loggedMs = typeof fields.time === 'string' ? Date.parse(fields.time) : Number.NaN;
  const event: AnomalyLogEvent = {
    kind,
    atMs: Number.isFinite(loggedMs) ? loggedMs : receivedMs,
    series,
    labels: labelsOf(fields),
    detector: stringField(fields.detector) ?? '?',
  };
  const top = stringField(fields.top_metric) ?? topSeries(fields.top_series);
  if (top !== undefined) event.topMetric = top;
  return event;
}

/** `series{a="1",b="2"}`, labels sorted; plus ` (top: X)` for the host composite. */
export function seriesKey(event: Pick<AnomalyLogEvent, 'series' | 'labels' | 'topMetric'>): string {
  const names = Object.keys(event.labels).sort();
  const labels =
    names.length === 0
      ? ''
      : `{${names.map((name) => `${name}=${JSON.stringify(event.labels[name])}`).join(',')}}`;
  const top = event.topMetric === undefined ? '' : ` (top: ${event.topMetric})`;
  return `${event.series}${labels}${top}`;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The source labels among a record's fields. */
function labelsOf(fields: Record<string, unknown>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const name of SERIES_LABELS) {
    const value = stringField(fields[name]);
    if (value !== undefined) labels[name] = value;
  }
  return labels;
}

/** `series{labels}` of a `top_series` object, as seriesKey writes a series. */
function topSeries(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const fields = value as Record<string, unknown>;
  const series = stringField(fields.series);
  return series === undefined ? undefined : seriesKey({ series, labels: labelsOf(fields) });
}
