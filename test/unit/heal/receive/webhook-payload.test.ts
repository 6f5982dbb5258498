import { describe, expect, it } from 'vitest';
import { parseInstant, parseNotification } from '../../../../src/heal/receive/webhook-payload.js';
import { notification } from '../helpers.js';

function alertOf(body: Record<string, unknown>): Record<string, unknown> {
  return (body.alerts as Record<string, unknown>[])[0] as Record<string, unknown>;
}

describe('parseNotification', () => {
  it('keeps the fields the healer reads and drops the rest', () => {
    const body = notification([
      { labels: { alertname: 'Down', job: 'web' }, fingerprint: '00000000000000aa' },
    ]);
    expect(parseNotification(body)).toEqual({
      ok: true,
      notification: {
        version: '4',
        groupKey: '{}:{alertname="Test"}',
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'aegis',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'Down', job: 'web' },
            annotations: {},
            startsAt: '2025-01-01T00:00:00.000Z',
            fingerprint: '00000000000000aa',
          },
        ],
      },
    });
  });

  it('takes a missing truncatedAlerts as 0', () => {
    const body = notification([{ labels: { alertname: 'Down' } }]);
    delete body.truncatedAlerts;
    const parsed = parseNotification(body);
    expect(parsed.ok && parsed.notification.truncatedAlerts).toBe(0);
  });

  it.each([
    '2025-01-01T00:00:00Z',
    '2025-01-01T00:00:00.123456789Z',
    '2025-06-30T23:59:59+02:00',
    '2025-06-30t23:59:59z',
  ])('accepts startsAt %s', (startsAt) => {
    expect(parseNotification(notification([{ labels: { alertname: 'A' }, startsAt }])).ok).toBe(
      true,
    );
  });

  it.each([
    'yesterday',
    '2025-01-01',
    '2025-13-01T00:00:00Z',
    '2025-01-01T24:00:00Z',
    '2025-01-01 00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2025-04-31T00:00:00Z',
  ])('refuses startsAt %s', (startsAt) => {
    expect(parseNotification(notification([{ labels: { alertname: 'A' }, startsAt }]))).toEqual({
      ok: false,
      problems: [
        {
          path: 'alerts.0.startsAt',
          message: `expected an RFC 3339 timestamp (like 2025-01-01T00:00:00Z), got "${startsAt}"`,
        },
      ],
    });
  });

  // One instant, five spellings: the episode key is built from what parsing gives.
  const SPELLINGS = [
    '2025-06-30T21:59:59Z',
    '2025-06-30T21:59:59.000Z',
    '2025-06-30T21:59:59+00:00',
    '2025-06-30T21:59:59.000000000Z',
    '2025-06-30T23:59:59+02:00',
  ];

  it.each(SPELLINGS)('writes startsAt %s as the canonical instant', (startsAt) => {
    const parsed = parseNotification(notification([{ labels: { alertname: 'A' }, startsAt }]));
    expect(parsed.ok && parsed.notification.alerts[0]?.startsAt).toBe('2025-06-30T21:59:59.000Z');
  });

  it.each([
    ['2025-06-30t21:59:59z', Date.UTC(2025, 5, 30, 21, 59, 59)],
    ['2025-06-30T21:59:59.1234567Z', Date.UTC(2025, 5, 30, 21, 59, 59, 123)],
    ['2025-06-30T16:29:59-05:30', Date.UTC(2025, 5, 30, 21, 59, 59)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2016-12-31T23:59:60Z', Date.UTC(2017, 0, 1)],
    ['2025-06-30T21:59:59.57Z', Date.UTC(2025, 5, 30, 21, 59, 59, 570)],
    ['0001-01-01T00:00:00Z', -62135596800000],
  ])('reads %s as epoch ms %d', (text, ms) => {
    expect(parseInstant(text)).toBe(ms);
  });

  it('names every problem by its path, in body order', () => {
    const body = notification([{ labels: { alertname: 'A' } }, { labels: { alertname: 'B' } }]);
    Object.assign(body, { version: 4, receiver: null, truncatedAlerts: 1.5 });
    delete body.groupKey;
    Object.assign(alertOf(body), { status: 'active', fingerprint: 'XYZ' });
    (body.alerts as unknown[])[1] = 'an alert';
    expect(parseNotification(body)).toEqual({
      ok: false,
      problems: [
        { path: 'version', message: 'expected "4" (Alertmanager webhook version)' },
        { path: 'groupKey', message: 'required: expected string' },
        { path: 'truncatedAlerts', message: 'expected a whole number >= 0, got number 1.5' },
        { path: 'receiver', message: 'expected string, got null' },
        { path: 'alerts.0.status', message: 'expected "firing" or "resolved"' },
        { path: 'alerts.0.fingerprint', message: 'expected 16 lowercase hex digits' },
        { path: 'alerts.1', message: 'expected object, got string "an alert"' },
      ],
    });
  });

  it('checks label names, label values and the alertname', () => {
    const body = notification([{ labels: { 'bad-name': 'x', job: 7 as unknown as string } }]);
    expect(parseNotification(body)).toEqual({
      ok: false,
      problems: [
        {
          path: 'alerts.0.labels.bad-name',
          message: 'expected a label name ([a-zA-Z_][a-zA-Z0-9_]*)',
        },
        { path: 'alerts.0.labels.job', message: 'expected string, got number 7' },
        { path: 'alerts.0.labels.alertname', message: 'required: an alertname label' },
      ],
    });
  });

  it.each([
    [null, 'expected object, got null'],
    [[], 'expected object, got an array'],
    ['{}', 'expected object, got string "{}"'],
  ])('refuses the body %j', (body, message) => {
    expect(parseNotification(body)).toEqual({ ok: false, problems: [{ path: '', message }] });
  });

  it('refuses missing, empty and non-list alerts', () => {
    const missing = notification([{ labels: { alertname: 'A' } }]);
    delete missing.alerts;
    expect(parseNotification(missing)).toEqual({
      ok: false,
      problems: [{ path: 'alerts', message: 'required: expected array' }],
    });
    expect(parseNotification({ ...missing, alerts: [] })).toEqual({
      ok: false,
      problems: [{ path: 'alerts', message: 'expected at least one alert' }],
    });
    expect(parseNotification({ ...missing, alerts: { 0: {} } })).toEqual({
      ok: false,
      problems: [{ path: 'alerts', message: 'expected array, got an object' }],
    });
  });
});
