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
  expr: string;
}

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
  panels?: Panel[];
}

/**
 * Every panel query with Grafana's variables filled in: `$instance` with its "All" value
 * and `$__rate_interval` with what Grafana computes for a short scrape interval.
 */
export async function dashboardQueries(rateInterval: string): Promise<PanelQuery[]> {
  const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[] };
  return dashboard.panels
    .flatMap((panel) => [panel, ...(panel.panels ?? [])])
    .flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({
        panel: panel.title,
        expr: target.expr
          .replaceAll('$__rate_interval', rateInterval)
          .replaceAll('$instance', '.*'),
      })),
    );
}
