// Announcing never holds up healing: a real local server stands in for Alertmanager,
// answering, failing, or never answering; the queue is bounded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntry } from '../../../../src/heal/audit/audit-log.js';
import {
  announcedEvent,
  announcement,
  type PostableAlert,
} from '../../../../src/heal/announce/announcement.js';
import { Announcer } from '../../../../src/heal/announce/announcer.js';
import { registerHealMetrics } from '../../../../src/heal/heal-metrics.js';
import { capturingLogger } from '../../../support/capturing-logger.js';

const entry: AuditEntry = {
  time: '2025-01-01T00:00:05.000Z',
  decision: 'failed',
  reason: 'failure',
  source: 'webhook',
  alertname: 'Down',
  fingerprint: '00000000000000aa',
  starts_at: '2025-01-01T00:00:00Z',
  rule: 'fix',
  action: 'exec',
  target: 'exec:web',
  attempt: 3,
  error: '/bin/false exited with code 1',
};

describe('announcement', () => {
  it('announces taken, failed and given-up actions, nothing else', () => {
    expect(announcedEvent({ ...entry, decision: 'succeeded' }, false)).toBe('taken');
    expect(announcedEvent({ ...entry, decision: 'unverified' }, false)).toBe('taken');
    expect(announcedEvent({ ...entry, decision: 'cancelled' }, false)).toBe('taken');
    expect(announcedEvent(entry, false)).toBe('failed');
    expect(announcedEvent(entry, true)).toBe('gave_up');
    for (const decision of ['started', 'skipped', 'deferred', 'dry_run'] as const)
      expect(announcedEvent({ ...entry, decision }, true)).toBeUndefined();
  });

  it('is an Alertmanager alert labelled for routing and silencing', () => {
    expect(announcement('gave_up', entry)).toEqual({
      labels: {
        alertname: 'AegisHealGaveUp',
        severity: 'critical',
        outcome: 'failed',
        action: 'exec',
        target: 'exec:web',
        rule: 'fix',
        healed_alertname: 'Down',
        healed_fingerprint: '00000000000000aa',
        attempt: '3',
      },
      annotations: {
        summary: 'healer gave up on exec on exec:web for Down after attempt 3',
        error: '/bin/false exited with code 1',
      },
      startsAt: '2025-01-01T00:00:05.000Z',
    });
    expect(announcement('circuit_open', entry, '2025-01-01T00:30:05.000Z')).toMatchObject({
      labels: { alertname: 'AegisHealCircuitOpen', severity: 'critical', outcome: 'circuit_open' },
      endsAt: '2025-01-01T00:30:05.000Z',
    });
  });
});

describe('Announcer', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    server = createServer(handler);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/alerts`;
  }

  function announcer(url: string, timeoutMs = 2_000, queueSize = 100) {
    const registry = new Registry();
    const metrics = registerHealMetrics(registry);
    const { logger, lines } = capturingLogger('debug');
    return {
      announcer: new Announcer({ urls: [url], timeoutMs, queueSize, metrics, logger }),
      registry,
      lines,
    };
  }

  const alert = (n: number): PostableAlert => ({
    labels: { alertname: 'AegisHealActionTaken', n: String(n) },
    annotations: {},
    startsAt: entry.time,
  });

  it('posts the decisions of one turn in one request', async () => {
    const bodies: PostableAlert[][] = [];
    const url = await serve((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(text) as PostableAlert[]);
        res.end();
      });
    });
    const a = announcer(url);
    a.announcer.announce(alert(1));
    a.announcer.announce(alert(2));
    await a.announcer.flush();
    expect(bodies.map((body) => body.map((x) => x.labels.n))).toEqual([['1', '2']]);
    expect(await a.registry.getSingleMetricAsString('aegis_heal_announcements_total')).toContain(
      'aegis_heal_announcements_total{result="sent"} 2',
    );
  });

  it('returns at once, and gives up on a server that never answers at the timeout', async () => {
    const url = await serve(() => undefined);
    const a = announcer(url, 200);
    const before = performance.now();
    a.announcer.announce(alert(1));
    expect(performance.now() - before).toBeLessThan(20);
    // flush() waits one timeout at most, however long the queue.
    await a.announcer.flush();
    expect(performance.now() - before).toBeLessThan(1_000);
    await vi.waitFor(() =>
      expect(a.lines.find((line) => line.event === 'heal_announce_failed')).toMatchObject({
        url,
        alerts: 1,
      }),
    );
    expect(await a.registry.getSingleMetricAsString('aegis_heal_announcements_total')).toContain(
      'aegis_heal_announcements_total{result="failed"} 1',
    );
  });

  it('logs what Alertmanager refused, and drops the oldest when the queue is full', async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 400;
      res.end('bad alert');
    });
    const a = announcer(url, 2_000, 2);
    for (const n of [1, 2, 3]) a.announcer.announce(alert(n));
    await a.announcer.flush();
    expect(a.lines.find((line) => line.event === 'heal_announce_failed')?.msg).toBe(
      `could not announce 2 healing event(s) to ${url}: answered 400: bad alert`,
    );
    const text = await a.registry.getSingleMetricAsString('aegis_heal_announcements_total');
    expect(text).toContain('aegis_heal_announcements_total{result="dropped"} 1');
    expect(text).toContain('aegis_heal_announcements_total{result="failed"} 2');
  });
});
