/**
 * Reading the agent's structured log (pino JSON lines on stdout): anomaly onsets and
 * resolutions. The series is named by `series` (with `labels`) or, in older agents, by
 * `metric`; both are read. Pure, so it is unit-tested.
 */

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
    labels: labelsOf(fields.labels),
    detector: stringField(fields.detector) ?? '?',
  };
  const top = stringField(fields.top_metric) ?? stringField(fields.top_series);
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

function labelsOf(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const labels: Record<string, string> = {};
  for (const [name, labelValue] of Object.entries(value)) {
    if (typeof labelValue === 'string' || typeof labelValue === 'number')
      labels[name] = String(labelValue);
  }
  return labels;
}
