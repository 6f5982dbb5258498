// A notification's alerts are summed up in one info line; redeliveries, unmatched and
// resolved alerts are logged per alert at debug only, and audited each.
import request from 'supertest';
import { afterEach, expect, it } from 'vitest';
import { notification, type TestHealer } from '../helpers.js';
import { startWorksHealer } from './works-healer.js';

let t: TestHealer | undefined;
afterEach(() => t?.cleanup());

it('sums up each notification at info and logs repeats per alert at debug', async () => {
  t = await startWorksHealer();
  const body = notification([
    { labels: { alertname: 'Works', svc: 'a' }, fingerprint: '00000000000000a1' },
    { labels: { alertname: 'Works', svc: 'b' }, fingerprint: '00000000000000a2' },
    { labels: { alertname: 'Other' }, fingerprint: '00000000000000a3' },
  ]);
  for (let delivery = 0; delivery < 2; delivery += 1) {
    const response = await request(t.app)
      .post('/heal')
      .set('content-type', 'application/json')
      .send(body);
    expect(response.status).toBe(202);
  }
  const summaries = t.lines.filter((line) => line.event === 'heal_notification_received');
  expect(summaries.map((line) => [line.level, line.decisions, line.msg])).toEqual([
    ['info', { queued: 2, no_match: 1 }, 'notification: 3 alert(s) firing: 2 queued, 1 no_match'],
    [
      'info',
      { duplicate: 2, no_match: 1 },
      'notification: 3 alert(s) firing: 2 duplicate, 1 no_match',
    ],
  ]);
  const skips = t.lines.filter((line) => line.event === 'heal_action_skipped');
  expect(skips.map((line) => [line.level, line.reason, line.fingerprint])).toEqual([
    ['debug', 'no_match', '00000000000000a3'],
    ['debug', 'duplicate', '00000000000000a1'],
    ['debug', 'duplicate', '00000000000000a2'],
    ['debug', 'no_match', '00000000000000a3'],
  ]);
  // Every one of them is audited all the same.
  const healer = t.healer;
  await expect.poll(() => healer.status().unverified).toBe(2);
  expect(
    healer
      .status()
      .recent.filter((entry) => entry.decision === 'skipped')
      .map((entry) => entry.reason),
  ).toEqual(['no_match', 'duplicate', 'duplicate', 'no_match']);
});
