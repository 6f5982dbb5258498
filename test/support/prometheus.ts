// A real Prometheus for tests: Debian's `prometheus` on 127.0.0.1 with a private TSDB,
// loaded with the shipped prometheus/prometheus.yml and prometheus/rules/*.yml. Only what
// a test machine must change is changed: addresses, paths and intervals.
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { formatDuration, parseDurationSeconds } from '../../src/config/duration.js';
import { freeLoopbackPort } from './ports.js';
import { startPrivateDaemon } from './private-daemon.js';

const SHIPPED_DIR = join(import.meta.dirname, '..', '..', 'prometheus');

export interface PrometheusOptions {
  /** `host:port` of every agent the `aegis-sentinel` job scrapes. */
  agents: string[];
  /** `host:port` of the Alertmanagers alerts go to. @default none */
  alertmanagers?: string[];
  /** Scrape and evaluation interval in seconds, replacing the shipped 15 s. @default 1 */
  intervalSeconds?: number;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface PrometheusServer {
  url: string;
  /** The `for` of every shipped rule is multiplied by this (see scaledRules). */
  forScale: number;
  /** An instant query; rejects on a PromQL error. */
  query(expr: string): Promise<PromSample[]>;
  /** Alerts pending or firing now (/api/v1/alerts). */
  alerts(): Promise<PromAlert[]>;
  /** Stops the server and deletes its dir. Idempotent. */
  stop(): Promise<void>;
}

interface ShippedConfig {
  global: Record<string, unknown>;
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}

interface RuleFile {
  groups: { name: string; rules: { for?: string }[] }[];
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-prometheus-'));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const interval = options.intervalSeconds ?? 1;

  const config = parseYaml(
    await readFile(join(SHIPPED_DIR, 'prometheus.yml'), 'utf8'),
  ) as ShippedConfig;
  const shippedEvaluation = parseDurationSeconds(String(config.global.evaluation_interval));
  if (shippedEvaluation === undefined) throw new Error('prometheus.yml has no evaluation_interval');
  const forScale = interval / shippedEvaluation;

  config.global.scrape_interval = formatDuration(interval);
  config.global.evaluation_interval = formatDuration(interval);
  config.global.scrape_timeout = formatDuration(interval);
  config.rule_files = [join(dir, 'rules', '*.yml')];
  setTargets(
    config.alerting.alertmanagers.flatMap((entry) => entry.static_configs),
    options.alertmanagers ?? [],
  );
  for (const job of config.scrape_configs) {
    if (job.job_name === 'prometheus') setTargets(job.static_configs, [`127.0.0.1:${port}`]);
    else if (job.job_name === 'aegis-sentinel') setTargets(job.static_configs, options.agents);
    else throw new Error(`prometheus.yml has a job this harness does not know: ${job.job_name}`);
  }
  await mkdir(join(dir, 'rules'));
  await writeFile(join(dir, 'prometheus.yml'), stringifyYaml(config));
  await writeScaledRules(join(dir, 'rules'), forScale);

  const running = await startPrivateDaemon({
    what: `prometheus on port ${port}`,
    dir,
    command: 'prometheus',
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Tests read rule state and data points right away, at their own pace.
      '--log.level=warn',
    ],
    readyUrl: `${url}/-/ready`,
  });
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`);
    return body.data;
  };
  return {
    url,
    forScale,
    query: async (expr) =>
      (await api<{ result: PromSample[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`))
        .result,
    alerts: async () => (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts,
    stop: running.stop,
  };
}

function setTargets(staticConfigs: { targets: string[] }[], targets: string[]): void {
  for (const entry of staticConfigs) entry.targets = targets;
}

/**
 * The shipped rules with every `for` multiplied by `scale` (test interval over shipped
 * evaluation interval), so that an alert waits as many evaluations as in production:
 * `for: 15s` at a 15 s interval becomes `for: 1s` at a 1 s interval. Expressions,
 * labels and annotations are left exactly as shipped.
 */
async function writeScaledRules(dir: string, scale: number): Promise<void> {
  const files = (await readdir(join(SHIPPED_DIR, 'rules'))).filter((name) => name.endsWith('.yml'));
  for (const name of files) {
    const rules = parseYaml(await readFile(join(SHIPPED_DIR, 'rules', name), 'utf8')) as RuleFile;
    for (const rule of rules.groups.flatMap((group) => group.rules)) {
      if (rule.for === undefined) continue;
      const seconds = parseDurationSeconds(rule.for);
      if (seconds === undefined) throw new Error(`${name}: cannot read for: ${rule.for}`);
      rule.for = formatDuration(seconds * scale);
    }
    await writeFile(join(dir, name), stringifyYaml(rules));
  }
}
