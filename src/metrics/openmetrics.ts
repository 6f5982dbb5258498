/**
 * The OpenMetrics rendering of a Prometheus text exposition. prom-client can render
 * OpenMetrics itself, but does so by renaming each counter object in place (it strips
 * `_total` from `metric.name` and never puts it back), so after one OpenMetrics scrape
 * every later text-format scrape exported counters without their `_total`. Converting
 * the text instead leaves the metric objects alone. The two formats differ, for what
 * prom-client produces, in three ways handled here: a counter family is named without
 * `_total` in its HELP and TYPE lines (its samples keep it), HELP escapes double quotes,
 * and the exposition has no blank lines and ends with `# EOF`.
 */

export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

export function toOpenMetrics(text: string): string {
  const lines = text.split('\n');
  // First pass: the counter families, whose HELP lines come before their TYPE lines.
  const counters = new Set<string>();
  for (const line of lines) {
    const type = /^# TYPE (\S+) counter$/.exec(line);
    if (type) counters.add(type[1] as string);
  }
  const out: string[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const [, keyword, name, rest = ''] = meta as unknown as [string, string, string, string?];
      const family = counters.has(name) ? name.replace(/_total$/, '') : name;
      const body = keyword === 'HELP' ? rest.replaceAll('"', '\\"') : rest;
      out.push(`# ${keyword} ${family} ${body}`);
      continue;
    }
    out.push(line);
  }
  out.push('# EOF');
  return `${out.join('\n')}\n`;
}
