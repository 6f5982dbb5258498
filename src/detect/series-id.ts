/**
 * What a judged series is: a name and the labels of its source (the filesystem's
 * mountpoint, the device, the probe's target, the container). /metrics, the logs, the
 * anomaly events and the alerts all name a series this way, so one healing policy
 * matcher (`series="filesystem_used_ratio", mountpoint="/"`) fits every path.
 *
 * Maps and the saved detector state key a series by a packed string instead,
 * `name` or `name:value` (`filesystem_used_ratio:/`): the format the detector core and
 * the backtest's CSV columns have always used, kept so saved state stays valid.
 */

/** The source labels a series can carry; at most one each. */
export const SERIES_LABELS = ['mountpoint', 'device', 'target', 'container'] as const;
export type SeriesLabel = (typeof SERIES_LABELS)[number];

export interface SeriesId {
  /** The quantity judged: `cpu_utilisation`, `filesystem_used_ratio`, ..., or `host`. */
  readonly name: string;
  readonly labels: Readonly<Partial<Record<SeriesLabel, string>>>;
}

/** The host composite (and the Isolation Forest): a series of its own. */
export const HOST_SERIES: SeriesId = { name: 'host', labels: {} };

/** The internal key of a series: its name, then `:` and its source label's value if any. */
export function seriesKey(id: SeriesId): string {
  const values = SERIES_LABELS.flatMap((label) => {
    const value = id.labels[label];
    return value === undefined ? [] : [value];
  });
  return values.length === 0 ? id.name : `${id.name}:${values.join(':')}`;
}

/** A series as labels, as /metrics, the logs and the alerts carry it: `{series, <source labels>}`. */
export type SeriesLabels = { series: string } & Partial<Record<SeriesLabel, string>>;

export function seriesLabels(id: SeriesId): SeriesLabels {
  return { series: id.name, ...id.labels };
}

/** The series for people, as PromQL writes it: `filesystem_used_ratio{mountpoint="/"}`. */
export function seriesText(id: SeriesId): string {
  const labels = Object.entries(id.labels).map(
    ([label, value]) => `${label}=${JSON.stringify(value)}`,
  );
  return labels.length === 0 ? id.name : `${id.name}{${labels.join(',')}}`;
}
