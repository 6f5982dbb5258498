/**
 * The landing page as a person sees it: a real agent on an ephemeral port, made to have
 * an anomaly and healing decisions, its `/` rendered by headless Chromium (Debian's
 * `chromium`, installed by scripts/install-deps.sh). The rendered DOM's visible text must
 * show the health, every collector with its state, the anomaly now and the decisions
 * with their reasons; a `<script>` in a label must show as text, never run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AegisSentinel, type SentinelStatus } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { runCommand } from '../support/processes.js';
import { startControllableServer, type ControllableServer } from './support/controllable-server.js';

/** The probe's name, which becomes the `target` label of its series. */
const EVIL = "<script>document.title='pwned'</script>";
const TOKEN = 'landing-page-test-token';
const POLICY = `
- name: restart-web-dry
  matchers: ['alertname="WebDown"']
  action: exec
  target: web
  argv: [/bin/true]
  dry_run: true
`;

let dir: string;
let endpoint: ControllableServer;
let sentinel: AegisSentinel;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-landing-'));
  await writeFile(join(dir, 'token'), TOKEN, { mode: 0o600 });
  await writeFile(join(dir, 'policy.yml'), POLICY);
  endpoint = await startControllableServer();
  sentinel = new AegisSentinel(
    {
      web: { listen_address: '127.0.0.1:0' },
      monitoring: {
        // Longer than the slow probe below, so that rounds keep up and the agent stays healthy.
        collection_interval: 0.5,
        api_endpoints: [{ url: endpoint.url, name: EVIL, timeout: 2 }],
        // No engine there: the page must say the engine is down.
        docker_host: 'unix:///nonexistent/docker.sock',
      },
      // A short warm-up, and a range test that is not wary of the warm-up's own records.
      detection: { min_samples_for_detection: 20, range_quiet_samples: 1, anomaly_hold: '5m' },
      recovery: {
        policy_file: join(dir, 'policy.yml'),
        auth_token_file: join(dir, 'token'),
        audit_file: join(dir, 'audit.jsonl'),
        allowed_commands: ['/bin/true'],
        enable_local_alerts: false,
      },
    },
    { logger: silentLogger() },
  );
  await sentinel.start();
  base = `http://127.0.0.1:${sentinel.address()!.port}`;
}, 60_000);

afterAll(async () => {
  await sentinel?.stop();
  await endpoint?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function status(): Promise<SentinelStatus> {
  return (await (await fetch(`${base}/status`)).json()) as SentinelStatus;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 40_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within 40 s: ${what}`);
    await sleep(100);
  }
}

/** `/` as headless Chromium renders it: the DOM after load, serialised. */
async function renderedDom(url: string): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'aegis-chromium-'));
  try {
    const { stdout } = await runCommand(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--dump-dom',
        url,
      ],
      { timeoutMs: 60_000 },
    );
    return stdout;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

/** The text a person reads: no tags, no style or script bodies, entities decoded, spaces collapsed. */
function visibleText(dom: string): string {
  const body = dom.slice(dom.indexOf('<body'));
  return body
    .replace(/<(style|script)\b[^>]*>[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('the landing page in headless Chromium', () => {
  let dom: string;
  let text: string;

  beforeAll(async () => {
    // An anomaly: the probe's latency, learned as ~1 ms, turns to 300 ms.
    await until('the detector has warmed up', async () =>
      (await status()).detection?.ready ? true : undefined,
    );
    endpoint.set({ delayMs: 300 });
    await until('the slow probe is anomalous', async () =>
      (await status()).detection?.anomalous.some((a) => a.series.target === EVIL)
        ? true
        : undefined,
    );
    // Two decisions: a dry run by the policy, and an alert no rule matches.
    const startsAt = new Date().toISOString();
    const response = await fetch(`${base}/heal`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        groupKey: '{}:{}',
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'aegis-heal',
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://alertmanager',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'WebDown' },
            startsAt,
            fingerprint: '00000000000000a1',
          },
          {
            status: 'firing',
            labels: { alertname: EVIL },
            startsAt,
            fingerprint: '00000000000000a2',
          },
        ],
      }),
    });
    expect(response.status).toBe(202);
    await until('both decisions are recorded', async () =>
      (await status()).healing.recent.length >= 2 ? true : undefined,
    );
    dom = await renderedDom(`${base}/`);
    text = visibleText(dom);
  }, 120_000);

  it('shows the health and every collector with its state', () => {
    expect(text).toContain('Health healthy');
    expect(text).toContain('Service running');
    expect(text).toMatch(/ host ok [\d.]+ ms /);
    expect(text).toMatch(/ endpoints ok [\d.]+ ms /);
    expect(text).toMatch(/ containers ok [\d.]+ ms /);
    expect(text).toContain('Container engine: down');
  });

  it('shows the anomaly now: its series with labels, score and since when', async () => {
    const anomaly = (await status()).detection?.anomalous.find((a) => a.series.target === EVIL);
    expect(anomaly).toBeDefined();
    const since = `${anomaly!.since.slice(0, 19).replace('T', ' ')} UTC`;
    expect(text).toMatch(
      new RegExp(
        `probe_duration_seconds \\{target=${escapeRegExp(JSON.stringify(EVIL))}\\} \\d+\\.\\d\\d ${since} \\((just now|\\d)`,
      ),
    );
  });

  it('shows the healing decisions with their reasons, newest first', () => {
    expect(text).toMatch(
      /WebDown dry_run would run \/bin\/true exec web \(attempt 1\) restart-web-dry webhook/,
    );
    expect(text).toContain(`${EVIL} skipped no_match`);
    expect(text).toContain('Success rate no actions yet');
  });

  it('shows labels and alert names as text: the page runs no script of theirs', () => {
    // The page's own reload script is the DOM's only script element, and the injected
    // one did not run (it would have changed the title).
    expect(dom.match(/<script\b/g)).toHaveLength(1);
    expect(dom).toMatch(/<title>Aegis Sentinel( \(unhealthy\))?<\/title>/);
    expect(text.split(EVIL).length - 1).toBeGreaterThanOrEqual(2);
  });

  it('keeps the links to /metrics, /status and /healthz', () => {
    for (const href of ['metrics', 'status', 'healthz']) expect(dom).toContain(`href="${href}"`);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
