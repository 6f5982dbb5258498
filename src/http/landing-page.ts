/**
 * The page at `/`: what a person opening the agent in a browser wants to know, in one
 * self-contained page (inline CSS, no external asset, no framework). It shows the
 * agent's health, each collector's state, the anomalies now and the latest healing
 * decisions with their reasons, and links the other endpoints, as exporters do.
 *
 * It is a view of /status and /healthz, rendered on the server: everything is readable
 * without JavaScript; the one inline script only reloads the page while it is visible.
 * Every value that comes from outside (labels, alert names, targets, errors) is
 * HTML-escaped, and the Content-Security-Policy runs no script but that one.
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { AuditEntry } from '../heal/audit/audit-log.js';
import type { SentinelStatus } from '../sentinel.js';
import { VERSION } from '../version.js';
import type { Health } from './app.js';

/** How many healing decisions the page lists, newest first. */
export const DECISIONS_SHOWN = 20;
/** The page reloads itself this often while visible. */
const RELOAD_SECONDS = 10;

type DeepPartial<T> = T extends (infer U)[]
  ? DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

/**
 * What the page is drawn from: /status (possibly partial, from an embedding program or
 * a test) and the health /healthz answers.
 */
export interface LandingFacts {
  status: DeepPartial<SentinelStatus>;
  health: Health;
  /** When the page is drawn, Unix milliseconds. */
  nowMs: number;
  /** Where the exposition is served. @default /metrics */
  telemetryPath?: string;
}

const SCRIPT = `if(document.visibilityState!==undefined)setInterval(function(){if(document.visibilityState==='visible')location.reload()},${RELOAD_SECONDS * 1000});`;
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** The page's Content-Security-Policy: nothing loads from anywhere, only its own script runs. */
export const LANDING_PAGE_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The express handler for GET `/`. */
export function serveLandingPage(options: {
  status: () => unknown;
  health: () => Health;
  telemetryPath?: string;
}): (req: Request, res: Response) => void {
  return (_req, res) => {
    const page = landingPage({
      // /status's JSON; the page tolerates any part of it missing.
      status: (options.status() ?? {}) as DeepPartial<SentinelStatus>,
      health: options.health(),
      nowMs: Date.now(),
      ...(options.telemetryPath === undefined ? {} : { telemetryPath: options.telemetryPath }),
    });
    res
      .set('content-security-policy', LANDING_PAGE_CSP)
      .set('cache-control', 'no-store')
      .type('html')
      .send(page);
  };
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe to put in HTML content and in quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

export function landingPage(facts: LandingFacts): string {
  const { status, health } = facts;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Aegis Sentinel${health.healthy ? '' : ' (unhealthy)'}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Aegis Sentinel</h1>
<p class="muted">Monitoring and self-healing agent, version ${escapeHtml(status.version ?? VERSION)}.</p>
</header>
<main>
${healthSection(facts)}
${collectorsSection(facts)}
${linksSection(facts.telemetryPath ?? '/metrics')}
${anomaliesSection(facts)}
${healingSection(facts)}
</main>
<footer class="muted">Drawn ${escapeHtml(formatTime(facts.nowMs))}; the page reloads every ${RELOAD_SECONDS} s while open.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function healthSection({ status, health }: LandingFacts): string {
  const verdict = health.healthy
    ? '<span class="badge ok">healthy</span>'
    : `<span class="badge bad">unhealthy</span> ${escapeHtml(health.reason ?? '')}`;
  const facts: [string, string][] = [
    ['Health', verdict],
    ['Service', escapeHtml(status.service_status ?? 'unknown')],
  ];
  if (typeof status.uptime_seconds === 'number')
    facts.push(['Uptime', escapeHtml(formatDuration(status.uptime_seconds))]);
  return `<section id="health">
<h2>Agent</h2>
${definitionList(facts)}
</section>`;
}

function collectorsSection({ status, nowMs }: LandingFacts): string {
  const collection = status.collection ?? {};
  const collectors = (collection.collectors ?? []).filter((c) => c != null);
  const last = collection.last_collection;
  const summary =
    `Every ${escapeHtml(collection.interval_seconds ?? '?')} s; last round ` +
    (last
      ? `${escapeHtml(formatTime(Date.parse(last)))} (${escapeHtml(ago(last, nowMs))})`
      : 'not yet');
  const rows = collectors.map((collector) => {
    const state = collector.success
      ? '<span class="badge ok">ok</span>'
      : '<span class="badge bad">failing</span>';
    const duration =
      typeof collector.duration_seconds === 'number'
        ? `${(collector.duration_seconds * 1000).toFixed(1)} ms`
        : '';
    return `<tr><td>${escapeHtml(collector.name ?? '?')}</td><td>${state}</td><td class="num">${duration}</td><td>${escapeHtml(collector.error ?? '')}</td></tr>`;
  });
  const engine =
    collection.container_engine_up == null
      ? ''
      : `<p>Container engine: ${collection.container_engine_up ? '<span class="badge ok">up</span>' : '<span class="badge bad">down</span>'}</p>`;
  return `<section id="collectors">
<h2>Collectors</h2>
<p class="muted">${summary}</p>
${
  rows.length === 0
    ? '<p>No collection round has finished yet.</p>'
    : table(['Collector', 'State', 'Last duration', 'Error'], rows)
}
${engine}
</section>`;
}

function anomaliesSection({ status, nowMs }: LandingFacts): string {
  const detection = status.detection;
  let body: string;
  if (detection === null) {
    body = '<p>Anomaly detection is off (<code>detection.enabled: false</code>).</p>';
  } else if (detection === undefined) {
    body = '<p>Anomaly detection reports nothing here.</p>';
  } else {
    const anomalies = (detection.anomalous ?? []).filter((a) => a != null);
    const rows = anomalies.map(
      (anomaly) =>
        `<tr><td>${seriesHtml(anomaly.series ?? {})}</td><td class="num">${escapeHtml(formatScore(anomaly.score))}</td>${whenCell(anomaly.since, nowMs)}</tr>`,
    );
    const state = detection.ready
      ? definitionList([
          ['Host score', `${escapeHtml(formatScore(detection.host_score))} (above 1 is anomalous)`],
          ['Series judged', seriesJudged(detection.series_ready ?? 0, detection.series ?? 0)],
          ['Host anomalies since start', escapeHtml(detection.anomalies_detected ?? 0)],
        ])
      : `<p class="muted">Warming up: no detector has seen enough samples yet; ${escapeHtml(detection.series ?? 0)} series watched.</p>`;
    body = `${state}
${
  rows.length === 0
    ? '<p><span class="badge ok">calm</span> No series is anomalous now.</p>'
    : table(['Series', 'Score', 'Anomalous since'], rows, true)
}`;
  }
  return `<section id="anomalies">
<h2>Anomalies now</h2>
${body}
</section>`;
}

function healingSection({ status, nowMs }: LandingFacts): string {
  const healing = status.healing ?? {};
  const attempts = healing.attempts ?? 0;
  const rate =
    attempts === 0
      ? 'no actions yet'
      : healing.success_rate == null
        ? `no verified outcome yet (${escapeHtml(attempts)} attempted)`
        : `${((healing.success_rate ?? 0) * 100).toFixed(0)} % (${escapeHtml(healing.verified_successes ?? 0)} verified of ${escapeHtml(attempts)} attempted)`;
  const circuits = (healing.open_circuits ?? []).filter((c) => c != null);
  const facts: [string, string][] = [
    ['Success rate', rate],
    ['In flight', escapeHtml(healing.in_flight ?? 0)],
    ['Open circuits', circuits.length === 0 ? 'none' : circuits.map(escapeHtml).join(', ')],
  ];
  const recent = (healing.recent ?? [])
    .filter((e) => e != null)
    .slice(-DECISIONS_SHOWN)
    .reverse();
  const rows = recent.map((entry) => decisionRow(entry, nowMs));
  return `<section id="healing">
<h2>Healing</h2>
${definitionList(facts)}
<h3>Latest decisions</h3>
${
  rows.length === 0
    ? '<p>No healing decision yet.</p>'
    : table(['When', 'Alert', 'Decision', 'Reason', 'Action', 'Rule', 'From'], rows)
}
</section>`;
}

const DECISION_CLASS: Record<string, string> = {
  succeeded: 'ok',
  unverified: 'warn',
  cancelled: 'info',
  failed: 'bad',
  deferred: 'warn',
  started: 'info',
  dry_run: 'info',
  skipped: 'quiet',
};

function decisionRow(entry: DeepPartial<AuditEntry>, nowMs: number): string {
  const decision = entry.decision ?? '?';
  // A dry run's reason is its decision: say what it would have run instead.
  const said = entry.reason === decision ? undefined : entry.reason;
  const wouldRun =
    decision === 'dry_run' && entry.argv ? `would run ${entry.argv.join(' ')}` : undefined;
  const reason = [said, wouldRun, entry.error].filter((part) => part).join(': ');
  // The target is keyed by its action (`exec:web`, `docker_restart:web`): say it once.
  const target = entry.target?.startsWith(`${entry.action}:`)
    ? entry.target.slice(`${entry.action}:`.length)
    : entry.target;
  const action = entry.action
    ? `${entry.action}${target ? ` ${target}` : ''}${entry.attempt ? ` (attempt ${entry.attempt})` : ''}`
    : '';
  return `<tr>${whenCell(entry.time, nowMs)}<td>${escapeHtml(entry.alertname ?? '')}</td><td><span class="badge ${DECISION_CLASS[decision] ?? 'quiet'}">${escapeHtml(decision)}</span></td><td>${escapeHtml(reason)}</td><td>${escapeHtml(action)}</td><td>${escapeHtml(entry.rule ?? '')}</td><td>${escapeHtml(entry.source ?? '')}</td></tr>`;
}

function linksSection(telemetryPath: string): string {
  // Relative links, so that the page works behind a proxy's path prefix.
  const metrics = escapeHtml(telemetryPath.replace(/^\/+/, '') || '.');
  return `<section id="endpoints">
<h2>Endpoints</h2>
<ul>
<li><a href="${metrics}">Metrics</a> (Prometheus text format; OpenMetrics on request)</li>
<li><a href="status">Status</a> (JSON)</li>
<li><a href="healthz">Health</a></li>
<li>POST <code>/heal</code>: Alertmanager webhook receiver</li>
</ul>
</section>`;
}

/** A series as PromQL writes it, its labels set apart: `probe_duration_seconds{target="api"}`. */
function seriesHtml(labels: Partial<Record<string, string | null>>): string {
  const { series, ...rest } = labels;
  const pairs = Object.entries(rest)
    .filter(([, value]) => value != null)
    .map(([label, value]) => `${label}=${JSON.stringify(value)}`);
  const name = `<span class="series">${escapeHtml(series ?? '?')}</span>`;
  return pairs.length === 0
    ? name
    : `${name}<span class="labels">{${escapeHtml(pairs.join(', '))}}</span>`;
}

/** A time, and how long ago it was. */
function whenCell(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return '<td></td>';
  return `<td class="when">${escapeHtml(formatTime(Date.parse(iso)))} <span class="muted">(${escapeHtml(ago(iso, nowMs))})</span></td>`;
}

/** Columns whose figures are right-aligned. */
const NUMERIC_COLUMNS = new Set(['Last duration', 'Score']);

/** A table; `fit` ones are as wide as their content, not the card. */
function table(headers: string[], rows: string[], fit = false): string {
  const head = headers.map(
    (h) => `<th${NUMERIC_COLUMNS.has(h) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`,
  );
  return `<div class="scroll"><table${fit ? ' class="fit"' : ''}>
<thead><tr>${head.join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

function definitionList(facts: [string, string][]): string {
  return `<dl>${facts.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

/** `14`, or `10 of 14 (4 warming up)` while some are still warming up. */
function seriesJudged(ready: unknown, exported: unknown): string {
  const warming = Number(exported) - Number(ready);
  if (!(warming > 0)) return escapeHtml(exported);
  return `${escapeHtml(ready)} of ${escapeHtml(exported)} (${warming} warming up)`;
}

function formatScore(score: unknown): string {
  if (typeof score !== 'number' || !Number.isFinite(score)) return '?';
  return score < 1e4 ? score.toFixed(2) : score.toPrecision(3);
}

/** `2026-05-01 12:00:03 UTC`. */
function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function ago(iso: string, nowMs: number): string {
  const seconds = (nowMs - Date.parse(iso)) / 1000;
  if (!Number.isFinite(seconds)) return '?';
  return seconds < 1 ? 'just now' : `${formatDuration(seconds)} ago`;
}

/** `42 s`, `5 min 3 s`, `2 h 5 min`, `3 d 4 h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1d2430;--muted:#5b6575;--line:#dde1e7;
--ok:#1a7f37;--ok-bg:#dcf5e3;--bad:#b42318;--bad-bg:#fde4e1;--warn:#8a5a00;--warn-bg:#fdf0d5;--info:#175cd3;--info-bg:#e1ecfd;--quiet:#475467;--quiet-bg:#eaecf0}
@media (prefers-color-scheme:dark){:root{--bg:#12161c;--card:#1b2029;--text:#e4e7ec;--muted:#98a2b3;--line:#2f3745;
--ok:#6fd08c;--ok-bg:#12351f;--bad:#f97066;--bad-bg:#45130f;--warn:#fdb022;--warn-bg:#3d2a05;--info:#84adff;--info-bg:#102a56;--quiet:#b9c0cc;--quiet-bg:#2a313d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
header,main,footer{max-width:1200px;margin:0 auto;padding:0 24px}
header{padding-top:20px}
h1{margin:0;font-size:26px}
h2{margin:0 0 8px;font-size:18px}
h3{margin:16px 0 6px;font-size:15px}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px;margin-top:16px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;min-width:0}
#anomalies,#healing{grid-column:1/-1}
@media (min-width:1000px){main{grid-template-columns:1fr 1.4fr 1fr}}
.muted{color:var(--muted)}
p{margin:6px 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dt{color:var(--muted)}
dd{margin:0}
.scroll{overflow-x:auto}
table{width:100%;border-collapse:collapse;font-size:14px}
table.fit{width:auto}
table.fit th,table.fit td{padding-right:32px}
th,td{text-align:left;padding:6px 10px 6px 0;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.when{white-space:nowrap;font-variant-numeric:tabular-nums}
.series{font-weight:600}
.labels,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
.labels{color:var(--muted);word-break:break-all}
.badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:13px;font-weight:600;white-space:nowrap}
.ok{color:var(--ok);background:var(--ok-bg)}
.bad{color:var(--bad);background:var(--bad-bg)}
.warn{color:var(--warn);background:var(--warn-bg)}
.info{color:var(--info);background:var(--info-bg)}
.quiet{color:var(--quiet);background:var(--quiet-bg)}
a{color:var(--info)}
ul{margin:0;padding-left:20px}
footer{margin:16px auto 24px;font-size:13px}
`;
