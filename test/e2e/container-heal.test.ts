// Scenario 1: a container serving HTTP is killed; Prometheus fires the container and
// endpoint alerts from the agent's metrics; Alertmanager delivers them to the agent's
// /heal; the agent restarts the container through the Docker API; the probe recovers;
// the alerts resolve and the resolved notification triggers nothing. Every hop is
// asserted, and the time from the kill to the probe's recovery is printed.
// Scenario 5 runs on the same live stack: every Grafana panel's query returns data.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertmanagerServer, startAlertmanager } from '../support/alertmanager.js';
import { type PodmanEngine, startPodmanEngine } from '../support/podman.js';
import { freeLoopbackPort } from '../support/ports.js';
import { type PrometheusServer, startPrometheus } from '../support/prometheus.js';
import { type AgentProcess, startAgent } from './support/agent.js';
import { buildAgent } from './support/agent-build.js';
import { dashboardQueries } from './support/dashboard.js';
import { eventually } from './support/eventually.js';
import { sampleValue } from './support/exposition.js';
import { type WebhookRecorder, startWebhookRecorder } from './support/webhook-recorder.js';

const POLICY = join(import.meta.dirname, '..', '..', 'examples', 'policy.yml');
const TOKEN = 'e2e-heal-token-container-scenario';
/** Scrape and evaluation interval, and the agent's collection interval, in seconds. */
const INTERVAL = 1;
/** One container per kill: each kill is a first episode on a fresh target, as in production. */
const KILLS = 5;
const TARGET_MEDIAN_SECONDS = 10;

interface Web {
  name: string;
  port: number;
}

interface AuditEntry {
  decision: string;
  reason?: string;
  source: string;
  alertname: string;
  fingerprint: string;
  action?: string;
  target?: string;
}

let engine: PodmanEngine | undefined;
let agent: AgentProcess | undefined;
let alertmanager: AlertmanagerServer | undefined;
let prometheus: PrometheusServer | undefined;
let humans: WebhookRecorder | undefined;
let wwwDir: string | undefined;
const webs: Web[] = [];
const recoverySeconds: number[] = [];

beforeAll(async () => {
  const cli = await buildAgent();
  humans = await startWebhookRecorder();
  engine = await startPodmanEngine();
  wwwDir = await mkdtemp(join(tmpdir(), 'aegis-www-'));
  await writeFile(join(wwwDir, 'index.html'), 'ok\n');
  for (let index = 1; index <= KILLS; index += 1) {
    const web = { name: `web-${index}`, port: await freeLoopbackPort() };
    await engine.run({
      name: web.name,
      labels: { 'aegis.autoheal': 'true' },
      cmd: ['httpd', '-f', '-p', `127.0.0.1:${web.port}`, '-h', '/www'],
      volumes: [`${wwwDir}:/www:ro`],
    });
    webs.push(web);
  }
  const dockerHost = engine.dockerHost;
  agent = await startAgent(
    cli,
    (dir) => ({
      monitoring: {
        collection_interval: INTERVAL,
        api_endpoints: webs.map((web) => ({
          url: `http://127.0.0.1:${web.port}/`,
          name: web.name,
          timeout: 0.5,
        })),
        docker_host: dockerHost,
      },
      // Scores within the run, so that the dashboard's anomaly panels have data.
      detection: { min_samples_for_detection: 10 },
      recovery: {
        policy_file: POLICY,
        auth_token_file: join(dir, 'heal-token'),
        // Only the Prometheus chain heals here: the agent's own loop would race it.
        enable_local_alerts: false,
        audit_file: join(dir, 'audit.jsonl'),
      },
    }),
    { 'heal-token': TOKEN },
  );
  alertmanager = await startAlertmanager({
    healUrls: [`${agent.url}/heal`],
    humansUrl: humans.url,
    token: TOKEN,
  });
  prometheus = await startPrometheus({
    agents: [agent.address],
    alertmanagers: [alertmanager.address],
    intervalSeconds: INTERVAL,
  });
});

afterAll(async () => {
  // Each one even when another fails to stop.
  for (const stop of [
    () => prometheus?.stop(),
    () => alertmanager?.stop(),
    () => agent?.stop(),
    () => engine?.stop(),
    () => humans?.close(),
    () => (wwwDir ? rm(wwwDir, { recursive: true, force: true }) : undefined),
  ]) {
    await Promise.resolve()
      .then(stop)
      .catch((error: unknown) => console.error('cleanup failed:', error));
  }
});

async function containerState(name: string): Promise<{ Running: boolean; StartedAt: string }> {
  const { stdout } = await (engine as PodmanEngine).podman([
    'inspect',
    '--format',
    '{{json .State}}',
    name,
  ]);
  return JSON.parse(stdout) as { Running: boolean; StartedAt: string };
}

async function probeSuccess(name: string): Promise<number | undefined> {
  return sampleValue(await (agent as AgentProcess).metrics(), 'aegis_probe_success', {
    target: name,
  });
}

async function restartsDone(): Promise<number> {
  const samples = await (agent as AgentProcess).metrics();
  return (
    sampleValue(samples, 'aegis_heal_actions_total', {
      action: 'docker_restart',
      result: 'success',
    }) ?? 0
  );
}

async function resolvedNotifications(): Promise<number> {
  const samples = await (agent as AgentProcess).metrics();
  return sampleValue(samples, 'aegis_heal_notifications_total', { status: 'resolved' }) ?? 0;
}

async function auditEntries(): Promise<AuditEntry[]> {
  const text = await readFile(join((agent as AgentProcess).dir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEntry);
}

/** What Prometheus and Alertmanager showed about one container while it was watched. */
interface Sightings {
  /** Alert names Prometheus reported firing. */
  firing: Set<string>;
  /** Alert name -> receivers Alertmanager routed it to. */
  routed: Map<string, string[]>;
  /** Alert name -> Alertmanager fingerprint. */
  fingerprints: Map<string, string>;
}

/** Polls both until `stop` is called, keeping every alert about `name`. */
function watchAlerts(name: string): { sightings: Sightings; stop: () => Promise<void> } {
  const sightings: Sightings = { firing: new Set(), routed: new Map(), fingerprints: new Map() };
  const about = (labels: Record<string, string>) =>
    labels.container === name || labels.target === name;
  let running = true;
  const loop = (async () => {
    while (running) {
      const [promAlerts, amAlerts] = await Promise.all([
        (prometheus as PrometheusServer).alerts(),
        (alertmanager as AlertmanagerServer).alerts(),
      ]);
      for (const alert of promAlerts) {
        if (about(alert.labels) && alert.state === 'firing') {
          sightings.firing.add(alert.labels.alertname as string);
        }
      }
      for (const alert of amAlerts) {
        if (!about(alert.labels)) continue;
        const alertname = alert.labels.alertname as string;
        sightings.routed.set(
          alertname,
          alert.receivers.map((receiver) => receiver.name),
        );
        sightings.fingerprints.set(alertname, alert.fingerprint);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    sightings,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

describe('a killed container is healed through Prometheus and Alertmanager', () => {
  it('every probed container is up and scraped before the first kill', async () => {
    const prom = prometheus as PrometheusServer;
    await eventually('Prometheus sees every probe succeed', async () => {
      const up = await prom.query('aegis_probe_success == 1');
      return up.length === KILLS ? up : undefined;
    });
    await eventually('Prometheus sees every container running', async () => {
      const running = await prom.query('aegis_container_state{state="running"} == 1');
      return running.length === KILLS ? running : undefined;
    });
  });

  it.each(Array.from({ length: KILLS }, (_, index) => index))(
    'kill %i: alerts, /heal, restart, recovery, resolution',
    async (index) => {
      const web = webs[index] as Web;
      const before = await containerState(web.name);
      const restartsBefore = await restartsDone();
      const resolvedBefore = await resolvedNotifications();
      const watch = watchAlerts(web.name);
      try {
        const killedAt = performance.now();
        await (engine as PodmanEngine).podman(['kill', web.name]);
        await eventually('the agent probes the dead endpoint', async () =>
          (await probeSuccess(web.name)) === 0 ? true : undefined,
        );
        await eventually(
          'the probe recovers',
          async () => ((await probeSuccess(web.name)) === 1 ? true : undefined),
          { timeoutMs: 60_000, intervalMs: 50 },
        );
        const seconds = (performance.now() - killedAt) / 1000;
        recoverySeconds.push(seconds);
        console.log(
          `kill ${index + 1}/${KILLS} (${web.name}): probe recovered ${seconds.toFixed(2)} s after the kill`,
        );

        // The target's real state: running again, started anew.
        const after = await containerState(web.name);
        expect(after.Running).toBe(true);
        expect(after.StartedAt).not.toBe(before.StartedAt);
        // Prometheus fired both alerts; Alertmanager routed them to the healer.
        expect([...watch.sightings.firing].sort()).toEqual(
          expect.arrayContaining(['AegisContainerExited', 'AegisEndpointDown']),
        );
        expect(watch.sightings.routed.get('AegisContainerExited')).toEqual(['aegis-heal']);
        expect(watch.sightings.routed.get('AegisEndpointDown')).toEqual(['aegis-heal']);
        // The agent restarted it once, verified, and says so in its audit and metrics.
        const fingerprint = watch.sightings.fingerprints.get('AegisContainerExited');
        const restart = (await auditEntries()).filter(
          (entry) =>
            entry.fingerprint === fingerprint &&
            entry.source === 'webhook' &&
            entry.action === 'docker_restart',
        );
        expect(restart.map((entry) => [entry.decision, entry.target])).toEqual([
          ['started', web.name],
          ['succeeded', web.name],
        ]);
        expect(await restartsDone()).toBe(restartsBefore + 1);

        // The alerts resolve everywhere; the resolved notification reaches the agent and
        // triggers nothing.
        await eventually('Prometheus resolves the alerts', async () =>
          (await (prometheus as PrometheusServer).alerts()).some(
            (alert) => alert.labels.container === web.name || alert.labels.target === web.name,
          )
            ? undefined
            : true,
        );
        await eventually('Alertmanager resolves the alerts', async () =>
          (await (alertmanager as AlertmanagerServer).alerts()).some(
            (alert) => alert.labels.container === web.name || alert.labels.target === web.name,
          )
            ? undefined
            : true,
        );
        await eventually('the agent receives the resolved notification', async () =>
          (await auditEntries()).some(
            (entry) =>
              entry.fingerprint === fingerprint &&
              entry.decision === 'skipped' &&
              entry.reason === 'resolved',
          )
            ? true
            : undefined,
        );
        expect(await resolvedNotifications()).toBeGreaterThan(resolvedBefore);
        expect(await restartsDone()).toBe(restartsBefore + 1);
        expect((await containerState(web.name)).StartedAt).toBe(after.StartedAt);
      } finally {
        await watch.stop();
      }
    },
  );

  it(`heals within ${TARGET_MEDIAN_SECONDS} s median (kill to probe recovery, ${INTERVAL} s intervals)`, () => {
    const figure = median(recoverySeconds);
    console.log(
      `kill -> probe recovery through Prometheus and Alertmanager, ${INTERVAL} s scrape/evaluation/collection: ` +
        `median ${figure.toFixed(2)} s over ${recoverySeconds.length} kills ` +
        `(${recoverySeconds.map((value) => value.toFixed(2)).join(', ')})`,
    );
    expect(recoverySeconds).toHaveLength(KILLS);
    expect(figure).toBeLessThan(TARGET_MEDIAN_SECONDS);
  });

  it('nothing went to the human receiver: healing fixed everything', () => {
    expect(humans?.deliveries).toEqual([]);
  });
});

// Scenario 5: what Grafana would draw, from the Prometheus that watched scenario 1.
describe('the Grafana dashboard', () => {
  it('every panel query returns data from the live Prometheus', async () => {
    // Grafana's $__rate_interval for a 1 s scrape is 4 s; 10 s spans a few more samples.
    const queries = await dashboardQueries('10s');
    const empty = new Map(queries.map((query) => [query.expr, query.panel]));
    await eventually(
      'every panel has data',
      async () => {
        for (const expr of [...empty.keys()]) {
          if ((await (prometheus as PrometheusServer).query(expr)).length > 0) empty.delete(expr);
        }
        return empty.size === 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000 },
    ).catch(() => undefined);
    expect([...empty].map(([expr, panel]) => `${panel}: ${expr}`)).toEqual([]);
  });
});
