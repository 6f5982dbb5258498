// Reading a body alert by alert in slices answers what parsing it whole answers: the
// same notification, the same problems in the same order, the same invalid_json error.
import { describe, expect, it } from 'vitest';
import { Slices } from '../../../../src/heal/dispatch/slices.js';
import { BodyError, parseJsonBody } from '../../../../src/heal/receive/json-body.js';
import { readNotification } from '../../../../src/heal/receive/notification-reader.js';
import { parseNotification } from '../../../../src/heal/receive/webhook-payload.js';
import { notification } from '../helpers.js';

/** What the body gives parsed whole: the notification or problems, or the BodyError's message. */
function whole(bytes: Buffer): unknown {
  try {
    return parseNotification(parseJsonBody(bytes));
  } catch (error) {
    return `${(error as BodyError).kind}: ${(error as BodyError).message}`;
  }
}

async function sliced(bytes: Buffer, slices: Slices): Promise<unknown> {
  try {
    return await readNotification(bytes, slices);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    return `${error.kind}: ${error.message}`;
  }
}

const valid = notification([
  { labels: { alertname: 'A', job: 'x' }, fingerprint: '00000000000000a1' },
  { labels: { alertname: 'B' }, status: 'resolved', fingerprint: '00000000000000b2' },
  { labels: { alertname: 'C', q: 'a "quoted" ] value' }, fingerprint: '00000000000000c3' },
]);
const text = JSON.stringify(valid);

const BODIES: Array<[string, string]> = [
  ['a valid notification', text],
  ['the same with a byte order mark', `\uFEFF${text}`],
  ['the same indented', JSON.stringify(valid, null, 2)],
  ['a problem in the envelope and in alerts', text.replace('"4"', '"3"').replace('"A"', '""')],
  ['no alerts', JSON.stringify({ ...valid, alerts: [] })],
  ['alerts not an array', JSON.stringify({ ...valid, alerts: 'none' })],
  ['alerts missing', JSON.stringify({ ...valid, alerts: undefined })],
  ['alerts of other kinds', JSON.stringify({ ...valid, alerts: [1, null, 'x', []] })],
  ['broken JSON in the last alert', text.replace(/}]}$/, '}}]}')],
  ['broken JSON in the envelope', text.replace('"receiver":"aegis"', '"receiver":aegis')],
  ['trailing garbage', `${text} x`],
  ['an empty body', ''],
  ['JSON null', 'null'],
  ['an unclosed array', '{"version": "4", "alerts": ['],
];

describe('readNotification', () => {
  it.each(BODIES)('answers as a whole parse for %s', async (_name, body) => {
    const bytes = Buffer.from(body);
    // A slice that is always spent: every alert waits for its own turn.
    expect(await sliced(bytes, new Slices(0))).toEqual(whole(bytes));
    expect(await sliced(bytes, new Slices(60_000))).toEqual(whole(bytes));
  });

  it('reads a valid notification with its alerts in order', async () => {
    const parsed = await readNotification(Buffer.from(text), new Slices(0));
    expect(parsed.ok && parsed.notification.alerts.map((alert) => alert.fingerprint)).toEqual([
      '00000000000000a1',
      '00000000000000b2',
      '00000000000000c3',
    ]);
  });

  it('names a broken body as parsing it whole does', async () => {
    await expect(sliced(Buffer.from(text.replace(/}]}$/, '}}]}')), new Slices(0))).resolves.toMatch(
      /^invalid_json: not JSON: /,
    );
  });
});
