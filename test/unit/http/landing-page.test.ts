import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/heal/audit/audit-log.js';
import {
  DECISIONS_SHOWN,
  escapeHtml,
  formatDuration,
  landingPage,
  type LandingFacts,
} from '../../../src/http/landing-page.js';

const NOW = Date.parse('2026-05-01T12:00:00Z');

function decision(index: number, fields: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: new Date(NOW - (100 - index) * 1000).toISOString(),
    decision: 'skipped',
    reason: 'no_match',
    source: 'webhook',
    alertname: `Alert${index}`,
    fingerprint: `f${index}`,
    starts_at: new Date(NOW - 200_000).toISOString(),
    ...fields,
  };
}

function facts(overrides: Partial<LandingFacts['status']> = {}): LandingFacts {
  return {
    nowMs: NOW,
    health: { healthy: true },
    status: {
      service_status: 'running',
      version: '9.9.9',
      uptime_seconds: 3725,
      collection: {
        interval_seconds: 15,
        last_collection: new Date(NOW - 4_000).toISOString(),
        collectors: [
          { name: 'host', success: true, duration_seconds: 0.0123 },
          { name: 'containers', success: false, duration_seconds: 2, error: 'connect ENOENT' },
        ],
        container_engine_up: false,
      },
      detection: {
        anomalies_detected: 3,
        ready: true,
        host_score: 1.5,
        top_series: { series: 'probe_duration_seconds', target: 'api' },
        series: 12,
        series_ready: 9,
        anomalous: [
          {
            series: { series: 'probe_duration_seconds', target: 'api' },
            since: new Date(NOW - 90_000).toISOString(),
            score: 3.25,
          },
        ],
      },
      healing: {
        success_rate: 0.5,
        attempts: 2,
        verified_successes: 1,
        in_flight: 0,
        open_circuits: ['exec:rotate'],
        recent: [
          decision(1, {
            decision: 'failed',
            reason: 'failure',
            error: 'exit code 1',
            action: 'exec',
            target: 'rotate',
            rule: 'rotate-logs',
            attempt: 1,
          }),
        ],
      },
      ...overrides,
    },
  };
}

/** The page's text as a person reads it: tags dropped, entities decoded, spaces collapsed. */
function text(html: string): string {
  return html
    .replace(/<(style|script)>[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('the landing page', () => {
  it('shows health, collectors, anomalies now and healing decisions with their reasons', () => {
    const page = text(landingPage(facts()));
    expect(page).toContain('Health healthy');
    expect(page).toContain('Uptime 1 h 2 min');
    expect(page).toContain('version 9.9.9');
    expect(page).toContain('host ok 12.3 ms');
    expect(page).toContain('containers failing 2000.0 ms connect ENOENT');
    expect(page).toContain('Container engine: down');
    expect(page).toContain('Series judged 9 of 12 (3 warming up)');
    expect(page).toContain(
      'probe_duration_seconds {target="api"} 3.25 2026-05-01 11:58:30 UTC (1 min 30 s ago)',
    );
    expect(page).toContain('Success rate 50 % (1 verified of 2 attempted)');
    expect(page).toContain('Open circuits exec:rotate');
    expect(page).toContain(
      '(1 min 39 s ago) Alert1 failed failure: exit code 1 exec rotate (attempt 1) rotate-logs webhook',
    );
    expect(page).toMatch(/Metrics .*Status .*Health/);
    // Dry runs say what they would have run; targets are not repeated after their action.
    const dry = text(
      landingPage(
        facts({
          healing: {
            recent: [
              decision(2, {
                decision: 'dry_run',
                reason: 'dry_run',
                action: 'exec',
                target: 'exec:web',
                argv: ['/bin/true', 'web'],
              }),
            ],
          },
        }),
      ),
    );
    expect(dry).toContain('Alert2 dry_run would run /bin/true web exec web');
  });

  it('says when nothing happened yet, and when detection is off', () => {
    const calm = text(
      landingPage(
        facts({
          healing: {
            success_rate: 1,
            attempts: 0,
            verified_successes: 0,
            in_flight: 0,
            open_circuits: [],
            recent: [],
          },
          detection: {
            anomalies_detected: 0,
            ready: false,
            host_score: 0,
            top_series: null,
            series: 4,
            anomalous: [],
          },
        }),
      ),
    );
    expect(calm).toContain('Success rate no actions yet');
    expect(calm).toContain('No healing decision yet.');
    expect(calm).toContain('Warming up');
    expect(calm).toContain('No series is anomalous now.');
    expect(text(landingPage(facts({ detection: null })))).toContain('Anomaly detection is off');
  });

  it(`lists the ${DECISIONS_SHOWN} latest decisions, newest first`, () => {
    const recent = Array.from({ length: 30 }, (_, index) => decision(index));
    const page = landingPage(
      facts({
        healing: {
          success_rate: 1,
          attempts: 0,
          verified_successes: 0,
          in_flight: 0,
          open_circuits: [],
          recent,
        },
      }),
    );
    const shown = [...text(page).matchAll(/Alert(\d+) skipped no_match/g)].map((m) => Number(m[1]));
    expect(shown).toEqual(Array.from({ length: DECISIONS_SHOWN }, (_, index) => 29 - index));
  });

  it('shows labels and alert fields as text, never as markup', () => {
    const evil = '<script>alert(1)</script>';
    const html = landingPage(
      facts({
        detection: {
          anomalies_detected: 1,
          ready: true,
          host_score: 2,
          top_series: null,
          series: 1,
          series_ready: 1,
          anomalous: [
            { series: { series: 'probe_duration_seconds', target: evil }, since: '', score: 2 },
          ],
        },
        healing: {
          success_rate: 1,
          attempts: 0,
          verified_successes: 0,
          in_flight: 0,
          open_circuits: [],
          recent: [decision(1, { alertname: evil, error: '"><img src=x onerror=alert(1)>' })],
        },
      }),
    );
    expect(html.match(/<script>/g)).toHaveLength(1); // the page's own
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text(html)).toContain(`target=${JSON.stringify(evil)}`);
    expect(text(html)).toContain('Series judged 1 Host anomalies since start 1');
  });

  it('draws a partial status (an embedding program, an unhealthy agent) without failing', () => {
    const page = text(
      landingPage({
        nowMs: NOW,
        health: { healthy: false, reason: 'agent is stopping' },
        status: {},
      }),
    );
    expect(page).toContain('Health unhealthy agent is stopping');
    expect(page).toContain('No collection round has finished yet.');
  });

  it('escapes the five HTML characters and formats durations', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
    expect([42, 303, 7500, 90_000].map(formatDuration)).toEqual([
      '42 s',
      '5 min 3 s',
      '2 h 5 min',
      '1 d 1 h',
    ]);
  });
});
