// Scenario 6: the Grafana dashboard tells the truth. Each panel's PromQL, read from the
// shipped dashboard with Grafana's variables filled in, is evaluated by the real
// Prometheus scraping a real agent, and its value is checked against what the panel
// claims: the onsets panel against the counter's own increase and the agent's
// /metrics, the success rates against the agent's /status, the series driving the
// anomaly blank while calm and the top anomalous series while not. Every other panel
// must parse, evaluate and show no NaN.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentProcess } from './support/agent.js';
import { dashboardQueries, panelQuery } from './support/dashboard.js';
import { eventually } from './support/eventually.js';
import { INTERVAL, type Stack, startStack } from './support/stack.js';

/** The step Grafana would query at ($__interval), and its $__rate_interval for a 1 s scrape. */
const STEP_SECONDS = 2;
const STEP = `${STEP_SECONDS}s`;
const RATE_INTERVAL = `${4 * INTERVAL}s`;

const POLICY = `
- name: fix-ok
  matchers: ['alertname="DashboardOk"']
  action: exec
  target: ok
  argv: [/bin/true]
  verify_command: [/bin/true]
  max_attempts: 1
- name: fix-fails
  matchers: ['alertname="DashboardFails"']
  action: exec
  target: fails
  argv: [/bin/false]
  max_attempts: 1
`;

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
interface Series {
  metric: Record<string, string>;
  values: [number, string][];
}

let stack: Stack | undefined;
let api: Server | undefined;
let policyDir: string | undefined;
let delayMs = 0;
/** Unix seconds, a whole step before the agent started: every counter is absent then. */
let startedAt = 0;

beforeAll(async () => {
  policyDir = await mkdtemp(join(tmpdir(), 'aegis-dashboard-'));
  await writeFile(join(policyDir, 'policy.yml'), POLICY);
  api = createServer((_req, res) => {
    setTimeout(() => res.end('ok\n'), delayMs);
  });
  await new Promise<void>((resolve) => api?.listen(0, '127.0.0.1', resolve));
  const port = (api.address() as AddressInfo).port;
  const policyFile = join(policyDir, 'policy.yml');
  startedAt = Math.floor(Date.now() / 1000) - STEP_SECONDS;
  stack = await startStack({
    agents: [
      () => ({
        monitoring: {
          api_endpoints: [{ url: `http://127.0.0.1:${port}/`, name: 'api', timeout: 2 }],
          enable_container_monitoring: false,
        },
        // A short warm-up and a short hold.
        detection: {
          min_samples_for_detection: 20,
          range_quiet_samples: 1,
          alarm_rest_samples: 5,
          anomaly_hold: '2s',
        },
        recovery: {
          policy_file: policyFile,
          allowed_commands: ['/bin/true', '/bin/false'],
          enable_local_alerts: false,
        },
      }),
    ],
  });
});

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => (api ? api.close(resolve) : resolve(undefined)));
  if (policyDir) await rm(policyDir, { recursive: true, force: true });
});

const live = (): Stack => stack as Stack;
const agent = (): AgentProcess => live().agents[0] as AgentProcess;

async function prometheusApi<T>(path: string, params: Record<string, string>): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const response = await fetch(`${live().prometheus.url}${path}?${query}`, {
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error}`);
  return body.data;
}

/** An instant query at `time` (Unix seconds); the result is a vector, or a scalar as one sample. */
async function instant(expr: string, time: number): Promise<Sample[]> {
  const data = await prometheusApi<{ resultType: string; result: Sample[] | [number, string] }>(
    '/api/v1/query',
    { query: expr, time: String(time) },
  );
  return data.resultType === 'scalar' || data.resultType === 'string'
    ? [{ metric: {}, value: data.result as [number, string] }]
    : (data.result as Sample[]);
}

async function range(expr: string, start: number, end: number): Promise<Series[]> {
  return (
    await prometheusApi<{ result: Series[] }>('/api/v1/query_range', {
      query: expr,
      start: String(start),
      end: String(end),
      step: STEP,
    })
  ).result;
}

/** The latest whole step, a moment ago: Prometheus has scraped up to it. */
function settledTime(): number {
  const now = Math.floor(Date.now() / 1000) - 2 * INTERVAL;
  return startedAt + Math.floor((now - startedAt) / STEP_SECONDS) * STEP_SECONDS;
}

interface AgentStatus {
  healing: {
    success_rate: number;
    attempts: number;
    verified_successes: number;
    in_flight: number;
  };
}

async function agentStatus(): Promise<AgentStatus> {
  const response = await fetch(`${agent().url}/status`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as AgentStatus;
}

const SERIES_LABELS = ['series', 'mountpoint', 'device', 'target', 'container'] as const;
const seriesKey = (labels: Record<string, string | undefined>): string =>
  SERIES_LABELS.map((label) => `${label}=${labels[label] ?? ''}`).join(',');

async function postAlert(alertname: string, fingerprint: string): Promise<void> {
  const token = await readFile(join(agent().dir, 'heal-token'), 'utf8');
  const response = await fetch(`${agent().url}/heal`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      version: '4',
      groupKey: `{}:{alertname="${alertname}"}`,
      truncatedAlerts: 0,
      status: 'firing',
      receiver: 'aegis-heal',
      alerts: [
        {
          status: 'firing',
          labels: { alertname },
          startsAt: new Date().toISOString(),
          fingerprint,
        },
      ],
    }),
    signal: AbortSignal.timeout(5_000),
  });
  expect(response.status).toBe(202);
}

describe('the Grafana dashboard tells the truth', () => {
  it('while calm, before any action: no series is named, and no success rate (not NaN)', async () => {
    // Scores are exported (as 0) from a series' first rounds, long before its warm-up ends.
    const time = await eventually(
      'Prometheus has the agent’s anomaly scores',
      async () => {
        const time = Math.floor(Date.now() / 1000) - INTERVAL;
        const scores = await instant('aegis_anomaly_score{series!="host"}', time);
        return scores.length > 0 ? time : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(await instant('aegis_anomalous{series!="host"} == 1', time)).toEqual([]);
    const top = await panelQuery('Series driving the anomaly', RATE_INTERVAL, STEP);
    expect(await instant(top.expr, time), top.expr).toEqual([]);
    expect(top.noValue).toBe('calm: no series is anomalous');

    expect((await agentStatus()).healing.attempts).toBe(0);
    for (const title of ['Healing success rate', 'Success rate']) {
      const rate = await panelQuery(title, RATE_INTERVAL, STEP);
      expect(await instant(rate.expr, time), `${title}: ${rate.expr}`).toEqual([]);
      expect(rate.noValue, title).toBe('no actions yet');
    }
  });

  it('the success rates equal /status once actions ran', async () => {
    await postAlert('DashboardOk', '00000000000000a1');
    await postAlert('DashboardFails', '00000000000000a2');
    const status = await eventually('both actions ended', async () => {
      const status = await agentStatus();
      return status.healing.attempts === 2 && status.healing.in_flight === 0 ? status : undefined;
    });
    expect(status.healing.verified_successes).toBe(1);
    const time = await eventually('Prometheus has scraped both results', async () => {
      const time = Math.floor(Date.now() / 1000);
      const [done] = await instant(
        'sum(aegis_heal_actions_total{result=~"success|failure|timeout"})',
        time,
      );
      return Number(done?.value[1]) === 2 ? time : undefined;
    });
    const stat = await panelQuery('Healing success rate', RATE_INTERVAL, STEP);
    const overall = await instant(stat.expr, time);
    expect(overall.map((sample) => Number(sample.value[1]))).toEqual([status.healing.success_rate]);
    const perAgent = await panelQuery('Success rate', RATE_INTERVAL, STEP);
    expect(
      (await instant(perAgent.expr, time)).map((s) => [s.metric.instance, Number(s.value[1])]),
    ).toEqual([[agent().address, status.healing.success_rate]]);
  });

  it('while anomalous, names the anomalous series with the highest score', async () => {
    await eventually(
      'the detector has warmed up on the endpoint latency',
      async () =>
        (await live().prometheus.query('aegis_detector_ready{detector="range"} == 1')).length === 1
          ? true
          : undefined,
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const top = await panelQuery('Series driving the anomaly', RATE_INTERVAL, STEP);
    // The endpoint turns slow: an onset of its latency series, held for anomaly_hold.
    delayMs = 400;
    const anomalousAt = [
      await eventually(
        'an onset of the slow latency',
        async () => {
          const time = Math.floor(Date.now() / 1000);
          const anomalous = await instant(
            'aegis_anomalous{series="probe_duration_seconds",target="api"} == 1',
            time,
          );
          return anomalous.length > 0 ? time : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      ),
    ];
    delayMs = 0;
    for (const time of anomalousAt) {
      const anomalous = await instant('aegis_anomalous{series!="host"} == 1', time);
      const scores = await instant(
        'max by (instance, series, mountpoint, device, target, container) (aegis_anomaly_score{series!="host"})',
        time,
      );
      const anomalousKeys = new Set(anomalous.map((sample) => seriesKey(sample.metric)));
      const best = Math.max(
        ...scores
          .filter((sample) => anomalousKeys.has(seriesKey(sample.metric)))
          .map((sample) => Number(sample.value[1])),
      );
      const shown = await instant(top.expr, time);
      expect(shown, `at ${time}`).toHaveLength(1);
      const [row] = shown as [Sample];
      expect(anomalousKeys.has(seriesKey(row.metric)), JSON.stringify(row.metric)).toBe(true);
      expect(Number(row.value[1])).toBe(best);
      expect(best).toBeGreaterThan(1);
    }
  });

  it('the onsets panel adds up to the counter’s own increase, first onsets included', async () => {
    const onsets = await panelQuery('Anomaly onsets by series', RATE_INTERVAL, STEP);
    const probe = seriesKey({ series: 'probe_duration_seconds', target: 'api' });
    // A whole step after Prometheus scraped the latency's onset.
    const end = await eventually('Prometheus has the latency onset', async () => {
      const end = settledTime();
      const [onset] = await instant(
        'aegis_anomalies_detected_total{series="probe_duration_seconds",target="api"} > 0',
        end,
      );
      return onset ? end : undefined;
    });
    // What Grafana draws: one point a step from before the agent started; its legend's
    // Total is the sum of the points.
    const drawn = new Map<string, number>();
    for (const series of await range(onsets.expr, startedAt, end)) {
      const total = series.values.reduce((sum, [, value]) => sum + Number(value), 0);
      drawn.set(seriesKey(series.metric), total);
    }
    // The counter at the end (at the start it did not exist yet).
    const counted = new Map<string, number>();
    for (const sample of await instant('aegis_anomalies_detected_total', end)) {
      const key = seriesKey(sample.metric);
      counted.set(key, (counted.get(key) ?? 0) + Number(sample.value[1]));
    }
    // Series that vanished before the end (a network device gone) are drawn but no longer
    // counted; every counted one must be drawn with exactly its count.
    expect(counted.size).toBeGreaterThan(1);
    expect(Object.fromEntries([...counted.keys()].map((key) => [key, drawn.get(key)]))).toEqual(
      Object.fromEntries(counted),
    );
    // The latency's first onset, which increase() missed when the counter appeared at 1.
    expect(counted.get(probe)).toBeGreaterThanOrEqual(1);
    // The query it replaced, for the record: it missed each series' first onset.
    const before = await range(
      'sum by (series, mountpoint, device, target, container) (increase(aegis_anomalies_detected_total[' +
        RATE_INTERVAL +
        ']))',
      startedAt,
      end,
    );
    const beforeProbe = before.find((series) => seriesKey(series.metric) === probe);
    console.log(
      `onsets of ${probe}: counter ${counted.get(probe)}, panel total ${drawn.get(probe)}, ` +
        `the increase() query's total ${beforeProbe?.values.reduce((sum, [, v]) => sum + Number(v), 0).toFixed(2) ?? 'none'}`,
    );

    // And the agent agrees, once Prometheus has scraped its latest onsets.
    await eventually('the panel totals match the agent’s /metrics', async () => {
      const exposed = new Map<string, number>();
      for (const sample of await agent().metrics()) {
        if (sample.name === 'aegis_anomalies_detected_total')
          exposed.set(seriesKey(sample.labels), sample.value);
      }
      const totals = new Map<string, number>();
      for (const series of await range(onsets.expr, startedAt, settledTime() + STEP_SECONDS)) {
        totals.set(
          seriesKey(series.metric),
          series.values.reduce((sum, [, value]) => sum + Number(value), 0),
        );
      }
      return [...exposed].every(([key, value]) => totals.get(key) === value) ? true : undefined;
    });
  });

  it('every panel query parses, evaluates, and shows no NaN', async () => {
    const queries = await dashboardQueries(RATE_INTERVAL, STEP);
    expect(queries.length).toBeGreaterThan(30);
    const end = settledTime();
    const problems: string[] = [];
    const withData: string[] = [];
    for (const query of queries) {
      try {
        const values = query.instant
          ? (await instant(query.expr, end)).map((sample) => sample.value[1])
          : (await range(query.expr, startedAt, end)).flatMap((series) =>
              series.values.map(([, value]) => value),
            );
        if (values.some((value) => value === 'NaN')) problems.push(`${query.panel}: NaN`);
        if (values.length > 0) withData.push(query.panel);
      } catch (error) {
        problems.push(`${query.panel}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
    // Containers are not watched here; everything else has data.
    const without = queries
      .filter((query) => !withData.includes(query.panel) && query.noValue === undefined)
      .map((query) => query.panel);
    expect(without.filter((panel) => !/container|engine/i.test(panel))).toEqual([]);
  });
});
