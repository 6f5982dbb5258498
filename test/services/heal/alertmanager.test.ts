// The healer and the people on call, through a real Alertmanager (Debian's, loaded with
// the shipped alertmanager.yml): every action taken, failed or given up and every circuit
// opened arrives as an alert in Alertmanager; a silence set there keeps the local loop's
// hands off the alert it matches, and the rest are still healed.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Snapshot } from '../../../src/collect/snapshot.js';
import { type AlertmanagerServer, startAlertmanager } from '../../support/alertmanager.js';
import type { TestHealer } from '../../unit/heal/helpers.js';
import { notification, postHeal, startServiceHealer, TOKEN } from './helpers.js';

let am: AlertmanagerServer;

beforeAll(async () => {
  // Its own routes deliver nowhere that matters here: only its API is used.
  am = await startAlertmanager({
    healUrls: ['http://127.0.0.1:9/heal'],
    humansUrl: 'http://127.0.0.1:9/humans',
    token: TOKEN,
  });
});
afterAll(() => am?.stop());

const POLICY = `
- name: fix-ok
  matchers: ['alertname="NeedsFix"']
  action: exec
  target: 'fix-{{ $labels.svc }}'
  argv: [/bin/true]
  verify_command: [/bin/true]
- name: fix-broken
  matchers: ['alertname="AlwaysBroken"']
  action: exec
  target: broken
  argv: [/bin/false]
  max_attempts: 2
  cooldown: 0s
- name: endpoint
  matchers: ['alertname="AegisEndpointDown"']
  action: exec
  target: 'probe-{{ $labels.target }}'
  argv: [/bin/true]
`;

async function announced(alertname: string) {
  return (await am.alerts()).filter((alert) => alert.labels.alertname === alertname);
}

describe('announcements to a real Alertmanager', () => {
  let h: TestHealer;
  beforeAll(async () => {
    h = await startServiceHealer(
      {
        alertmanager_url: am.url,
        allowed_commands: ['/bin/true', '/bin/false'],
        backoff_initial: 0,
        circuit_failure_threshold: 2,
      },
      undefined,
      POLICY,
    );
  });
  afterAll(() => h?.cleanup());

  it('announces an action taken, a failure, giving up and the circuit opening', async () => {
    const response = await postHeal(
      h,
      notification([
        { labels: { alertname: 'NeedsFix', svc: 'web' }, fingerprint: '00000000000000f1' },
        { labels: { alertname: 'AlwaysBroken' }, fingerprint: '00000000000000f2' },
      ]),
    );
    expect(response.status).toBe(202);
    await vi.waitFor(
      async () => {
        expect(await announced('AegisHealActionTaken')).toHaveLength(1);
        expect(await announced('AegisHealActionFailed')).toHaveLength(1);
        expect(await announced('AegisHealGaveUp')).toHaveLength(1);
        expect(await announced('AegisHealCircuitOpen')).toHaveLength(1);
      },
      { timeout: 20_000, interval: 250 },
    );
    const [taken] = await announced('AegisHealActionTaken');
    expect(taken?.labels).toEqual({
      alertname: 'AegisHealActionTaken',
      severity: 'info',
      outcome: 'succeeded',
      action: 'exec',
      target: 'exec:fix-web',
      rule: 'fix-ok',
      healed_alertname: 'NeedsFix',
      healed_fingerprint: '00000000000000f1',
      attempt: '1',
    });
    expect(taken?.status.state).toBe('active');
    const [gaveUp] = await announced('AegisHealGaveUp');
    expect(gaveUp?.labels).toMatchObject({ severity: 'critical', outcome: 'failed', attempt: '2' });
    const [circuit] = await announced('AegisHealCircuitOpen');
    expect(circuit?.labels).toMatchObject({ outcome: 'circuit_open', target: 'exec:broken' });
    expect(await h.registry.getSingleMetricAsString('aegis_heal_announcements_total')).toMatch(
      /aegis_heal_announcements_total\{result="sent"\} [4-9]/,
    );
  });
});

describe("Alertmanager's silences and the local loop", () => {
  let h: TestHealer;
  let silenceId: string;
  beforeAll(async () => {
    const now = Date.now();
    const created = await fetch(`${am.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [
          { name: 'alertname', value: 'AegisEndpointDown', isRegex: false, isEqual: true },
          { name: 'target', value: 'db-.*', isRegex: true, isEqual: true },
        ],
        startsAt: new Date(now - 1_000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        createdBy: 'ops@example.org',
        comment: 'database migration',
      }),
    });
    expect(created.status).toBe(200);
    silenceId = ((await created.json()) as { silenceID: string }).silenceID;
    h = await startServiceHealer(
      {
        alertmanager_url: am.url,
        // The policy's other rule runs /bin/false: a rule off its allow-list stops the start.
        allowed_commands: ['/bin/true', '/bin/false'],
        endpoint_down_rounds: 1,
      },
      undefined,
      POLICY,
    );
  });
  afterAll(() => h?.cleanup());

  it('skips the silenced local alert with the silence named, and heals the other', async () => {
    const round: Snapshot = {
      timestamp_ms: Date.now(),
      collectors: [],
      probes: ['db-main', 'web'].map((target) => ({
        target,
        url: `http://${target}/health`,
        success: false,
        duration_seconds: 0.01,
        status_code: 503,
      })),
    };
    // The silences were read at start: the first round knows them.
    h.healer.observe(round, []);
    await vi.waitFor(
      () => {
        expect(h.healer.status().recent.find((e) => e.reason === 'silenced')).toMatchObject({
          decision: 'skipped',
          source: 'local',
          alertname: 'AegisEndpointDown',
          rule: 'endpoint',
          error: expect.stringMatching(
            new RegExp(
              `^silenced in Alertmanager by ${silenceId} \\(ops@example.org: database migration\\) until `,
            ),
          ),
        });
      },
      { timeout: 10_000, interval: 200 },
    );
    await vi.waitFor(() =>
      expect(
        h.healer
          .status()
          .recent.find((e) => e.target === 'exec:probe-web' && e.decision !== 'started'),
      ).toMatchObject({
        decision: 'unverified',
      }),
    );
    expect(h.healer.status().recent.filter((e) => e.target === 'exec:probe-db-main')).toEqual([]);
  });
});
