/**
 * A /heal body, from its bytes to a checked notification, in the event loop's slices:
 * the alerts are parsed and checked a few at a time, each one's JSON left behind once
 * checked, so that a 1,000-alert notification neither holds the event loop for one
 * long JSON.parse nor keeps its whole parsed tree alive for the garbage collector to
 * copy (`npm run bench:storm`). The answer is the one parsing it whole would give:
 * a body the cut does not expect, or that is not JSON, is parsed whole.
 */
import type { Slices } from '../dispatch/slices.js';
import { jsonText, parseJsonBody } from './json-body.js';
import { splitArrayMember } from './json-pieces.js';
import {
  NotificationCheck,
  type ParsedNotification,
  parseNotification,
} from './webhook-payload.js';

/**
 * The notification in `bytes`, or its problems; throws BodyError (invalid_json) when the
 * body is not JSON.
 */
export async function readNotification(bytes: Buffer, slices: Slices): Promise<ParsedNotification> {
  const whole = (): ParsedNotification => parseNotification(parseJsonBody(bytes));
  const text = jsonText(bytes);
  const pieces = splitArrayMember(text, 'alerts');
  if (pieces === undefined) return whole();
  let envelope: unknown;
  try {
    envelope = JSON.parse(pieces.envelope);
  } catch {
    return whole();
  }
  const check = new NotificationCheck(envelope);
  const { elements } = pieces;
  if (elements.length === 0) check.problem('alerts', 'expected at least one alert');
  for (let index = 0; index < elements.length; index += 1) {
    if (slices.due) await slices.next();
    const [start, end] = elements[index] as [number, number];
    let alert: unknown;
    try {
      alert = JSON.parse(text.slice(start, end));
    } catch {
      return whole();
    }
    check.alert(alert, index);
  }
  return check.result();
}
