// The episode key comes from the parsed startsAt instant, not from how it was written.
import request from 'supertest';
import { afterEach, expect, it } from 'vitest';
import { notification, type TestHealer } from '../helpers.js';
import { startWorksHealer } from './works-healer.js';

let t: TestHealer | undefined;
afterEach(() => t?.cleanup());

it('one instant written five ways is one episode, acted on once', async () => {
  t = await startWorksHealer();
  const decisions = [];
  for (const startsAt of [
    '2025-06-30T21:59:59Z',
    '2025-06-30T21:59:59.000Z',
    '2025-06-30T21:59:59+00:00',
    '2025-06-30T21:59:59.000000000Z',
    '2025-06-30T23:59:59+02:00',
  ]) {
    const response = await request(t.app)
      .post('/heal')
      .set('content-type', 'application/json')
      .send(
        notification([
          { labels: { alertname: 'Works', svc: 'a' }, fingerprint: '00000000000000f1', startsAt },
        ]),
      );
    expect(response.status).toBe(202);
    decisions.push(response.body.decisions[0]);
  }
  expect(
    decisions.map((d: { decision: string; reason?: string }) => d.reason ?? d.decision),
  ).toEqual(['queued', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
  const healer = t.healer;
  await expect.poll(() => healer.status().unverified).toBe(1);
  expect(healer.status().attempts).toBe(1);
  // The audit names the instant canonically, whatever spelling it came in.
  expect(new Set(healer.status().recent.map((entry) => entry.starts_at))).toEqual(
    new Set(['2025-06-30T21:59:59.000Z']),
  );
});

it('refuses an unparsable startsAt with a 400 naming the field, and records nothing', async () => {
  t = await startWorksHealer();
  const response = await request(t.app)
    .post('/heal')
    .set('content-type', 'application/json')
    .send(
      notification([
        { labels: { alertname: 'Works', svc: 'a' }, startsAt: '2025-02-30T00:00:00Z' },
      ]),
    );
  expect(response.status).toBe(400);
  expect(response.body).toEqual({
    error: 'invalid_notification',
    message:
      'alerts.0.startsAt: expected an RFC 3339 timestamp (like 2025-01-01T00:00:00Z), got "2025-02-30T00:00:00Z"',
    problems: [
      {
        path: 'alerts.0.startsAt',
        message:
          'expected an RFC 3339 timestamp (like 2025-01-01T00:00:00Z), got "2025-02-30T00:00:00Z"',
      },
    ],
  });
  expect(t.healer.status().recent).toEqual([]);
});
