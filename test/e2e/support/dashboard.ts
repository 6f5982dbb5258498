// The shipped Grafana dashboard's queries, as Grafana would send them to Prometheus.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const DASHBOARD = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'grafana',
  'dashboards',
  'aegis-sentinel.json',
);

export interface PanelQuery {
  panel: string;
  /** The panel's type: stat, timeseries, table, ... */
  type: string;
  expr: string;
  /** Whether Grafana asks for one instant (tables) rather than a range. */
  instant: boolean;
  /** What the panel shows when the query returns nothing, if it says. */
  noValue?: string;
}

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string; instant?: boolean }[];
  panels?: Panel[];
  fieldConfig?: { defaults?: { noValue?: string } };
}

/**
 * Every panel query with Grafana's variables filled in: `$instance` with its "All" value,
 * `$__rate_interval` with what Grafana computes for a short scrape interval, and
 * `$__interval` with the step Grafana would query at (the same as `rateInterval` unless given).
 */
export async function dashboardQueries(
  rateInterval: string,
  interval: string = rateInterval,
): Promise<PanelQuery[]> {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[] };
  return dashboard.panels
    .flatMap((panel) => [panel, ...(panel.panels ?? [])])
    .flatMap((panel) =>
      (panel.targets ?? []).map((target) => {
        const noValue = panel.fieldConfig?.defaults?.noValue;
        return {
          panel: panel.title,
          type: panel.type,
          expr: target.expr
            .replaceAll('$__rate_interval', rateInterval)
            .replaceAll('$__interval', interval)
            .replaceAll('$instance', '.*'),
          instant: target.instant === true,
          ...(noValue === undefined ? {} : { noValue }),
        };
      }),
    );
}

/** The one query of the panel titled `title`; fails when there is none or several. */
export async function panelQuery(
  title: string,
  rateInterval: string,
  interval: string = rateInterval,
): Promise<PanelQuery> {
  const queries = (await dashboardQueries(rateInterval, interval)).filter(
    (query) => query.panel === title,
  );
  if (queries.length !== 1) {
    throw new Error(`the dashboard has ${queries.length} queries in a panel titled "${title}"`);
  }
  return queries[0] as PanelQuery;
}
