/**
 * Alertmanager's webhook payload, version "4": the fields the healer reads, checked
 * strictly, every problem named by its dotted path from the body's root
 * (`alerts.0.labels.job_name`). Annotations are kept as context (their string values,
 * for `exec`'s environment) and never refused. Everything else (groupLabels,
 * commonLabels, externalURL, generatorURL, endsAt, and whatever a newer Alertmanager
 * adds) is ignored and not even looked at.
 *
 * Hand-written rather than a zod schema: this runs on every notification, and in the
 * server zod took 22 µs of a /heal request's 380 µs of CPU (`npm run bench:heal --
 * --profile DIR`), for ten fields. The configuration and the policy, read once, use zod.
 */
import { describeValue } from '../../config/validate.js';
import { isRecord } from '../../util/is-record.js';

export interface NotificationAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  /** Its string-valued annotations; anything else there is ignored, never refused. */
  annotations: Record<string, string>;
  /**
   * The instant, rewritten canonically (UTC, milliseconds: `2025-01-01T00:00:00.000Z`),
   * as part of the episode's identity: `Z`, `.000Z`, `+00:00` and `.000000000Z`
   * spellings of one instant are one episode.
   */
  startsAt: string;
  fingerprint: string;
}

export interface Notification {
  version: '4';
  groupKey: string;
  /** How many alerts Alertmanager left out of this notification (its `max_alerts`). */
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  alerts: NotificationAlert[];
}

export interface PayloadProblem {
  path: string;
  message: string;
}

export type ParsedNotification =
  { ok: true; notification: Notification } | { ok: false; problems: PayloadProblem[] };

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FINGERPRINT = /^[0-9a-f]{16}$/;
/** RFC 3339 with any fraction (Go's RFC3339Nano, as Alertmanager writes it) and an offset. */
const RFC3339 =
  /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d+)?(Z|([+-])([01]\d|2[0-3]):([0-5]\d))$/i;

/**
 * The instant an RFC 3339 timestamp names, in epoch milliseconds (a fraction finer than
 * a millisecond is cut: Prometheus stamps alerts in milliseconds); undefined when the
 * text is not one or names no real date (February 30th).
 */
export function parseInstant(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[];
  // The first three digits of the fraction, as whole milliseconds (no float rounding).
  const millis = match[7] === undefined ? 0 : Number(`${match[7].slice(1)}00`.slice(0, 3));
  // setUTCFullYear, unlike Date.UTC, takes years below 100 as they are.
  const instant = new Date(0);
  instant.setUTCFullYear(year!, month! - 1, day!);
  // An impossible day rolls over into the next month: such a date does not exist.
  if (instant.getUTCDate() !== day) return undefined;
  const date = instant.setUTCHours(hour!, minute!, second!, millis);
  const sign = match[9] === '-' ? -1 : 1;
  const offsetMinutes = match[9] === undefined ? 0 : Number(match[10]) * 60 + Number(match[11]);
  return date - sign * offsetMinutes * 60_000;
}

type Fields = Record<string, unknown>;

/** The problems found so far; every check adds to it and answers undefined when it failed. */
class Problems {
  readonly list: PayloadProblem[] = [];

  add(path: string, message: string): undefined {
    this.list.push({ path, message });
    return undefined;
  }
}

/** Checks a parsed JSON body; never throws. */
export function parseNotification(body: unknown): ParsedNotification {
  const check = new NotificationCheck(body);
  const root = check.root;
  if (root === undefined) return check.result();
  const list = root.alerts;
  if (list === undefined) check.problem('alerts', 'required: expected array');
  else if (!Array.isArray(list))
    check.problem('alerts', `expected array, got ${describeValue(list)}`);
  else if (list.length === 0) check.problem('alerts', 'expected at least one alert');
  else list.forEach((item: unknown, index) => check.alert(item, index));
  return check.result();
}

/**
 * A notification checked in parts: its own fields when made, then each alert as it
 * comes (alert()), so that a large one can be parsed and checked alert by alert, in
 * slices, its parsed alerts left behind as they are checked (notification-reader.ts).
 * The problems come in the order parseNotification() gives them.
 */
export class NotificationCheck {
  /** The body, when it is an object. */
  readonly root: Fields | undefined;
  readonly #problems = new Problems();
  readonly #alerts: NotificationAlert[] = [];
  readonly #groupKey: string | undefined;
  readonly #truncatedAlerts: unknown;
  readonly #status: Notification['status'] | undefined;
  readonly #receiver: string | undefined;

  /** Checks the body's own fields (all but `alerts`). */
  constructor(body: unknown) {
    const problems = this.#problems;
    const root = object(body, '', problems);
    this.root = root;
    if (root === undefined) return;
    if (root.version !== '4') {
      problems.add(
        'version',
        root.version === undefined
          ? 'required: expected "4"'
          : 'expected "4" (Alertmanager webhook version)',
      );
    }
    this.#groupKey = string(root, 'groupKey', '', problems);
    const truncatedAlerts = root.truncatedAlerts ?? 0;
    this.#truncatedAlerts = truncatedAlerts;
    if (!(
      typeof truncatedAlerts === 'number' &&
      Number.isInteger(truncatedAlerts) &&
      truncatedAlerts >= 0
    ))
      problems.add(
        'truncatedAlerts',
        `expected a whole number >= 0, got ${describeValue(truncatedAlerts)}`,
      );
    this.#status = alertStatus(root, 'status', '', problems);
    this.#receiver = string(root, 'receiver', '', problems);
  }

  /** A problem found outside the fields this checks (the alerts list itself). */
  problem(path: string, message: string): void {
    this.#problems.add(path, message);
  }

  /** Checks the alert at `index` of the body's `alerts`. */
  alert(item: unknown, index: number): void {
    const alert = parseAlert(item, `alerts.${index}`, this.#problems);
    if (alert) this.#alerts.push(alert);
  }

  result(): ParsedNotification {
    const problems = this.#problems.list;
    if (problems.length > 0) return { ok: false, problems };
    return {
      ok: true,
      notification: {
        version: '4',
        groupKey: this.#groupKey as string,
        truncatedAlerts: this.#truncatedAlerts as number,
        status: this.#status as Notification['status'],
        receiver: this.#receiver as string,
        alerts: this.#alerts,
      },
    };
  }
}

function parseAlert(
  item: unknown,
  path: string,
  problems: Problems,
): NotificationAlert | undefined {
  const alert = object(item, path, problems);
  if (alert === undefined) return undefined;
  const before = problems.list.length;
  const status = alertStatus(alert, 'status', path, problems);
  const labels = labelSet(alert.labels, `${path}.labels`, problems);
  // Part of the episode's identity (fingerprint + startsAt), so it must be a real time.
  const startsAtText = string(alert, 'startsAt', path, problems);
  const startsAtMs = startsAtText === undefined ? undefined : parseInstant(startsAtText);
  if (startsAtText !== undefined && startsAtMs === undefined)
    problems.add(
      `${path}.startsAt`,
      `expected an RFC 3339 timestamp (like 2025-01-01T00:00:00Z), got ${JSON.stringify(startsAtText)}`,
    );
  const fingerprint = string(alert, 'fingerprint', path, problems);
  if (fingerprint !== undefined && !FINGERPRINT.test(fingerprint))
    problems.add(`${path}.fingerprint`, 'expected 16 lowercase hex digits');
  if (problems.list.length !== before) return undefined;
  return {
    status: status as NotificationAlert['status'],
    labels: labels as Record<string, string>,
    annotations: stringFields(alert.annotations),
    startsAt: new Date(startsAtMs as number).toISOString(),
    fingerprint: fingerprint as string,
  };
}

/** The string-valued fields of `value` when it is an object: annotations are context, not input to check. */
function stringFields(value: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!isRecord(value)) return fields;
  for (const [name, field] of Object.entries(value))
    if (typeof field === 'string') fields[name] = field;
  return fields;
}

/** Label names as Prometheus allows them, string values, and an alertname. */
function labelSet(
  value: unknown,
  path: string,
  problems: Problems,
): Record<string, string> | undefined {
  const labels = object(value, path, problems);
  if (labels === undefined) return undefined;
  const before = problems.list.length;
  for (const name of Object.keys(labels)) {
    if (!LABEL_NAME.test(name))
      problems.add(`${path}.${name}`, 'expected a label name ([a-zA-Z_][a-zA-Z0-9_]*)');
    else if (typeof labels[name] !== 'string')
      problems.add(`${path}.${name}`, `expected string, got ${describeValue(labels[name])}`);
  }
  if (labels.alertname === undefined || labels.alertname === '')
    problems.add(`${path}.alertname`, 'required: an alertname label');
  // Every value was just checked to be a string.
  return problems.list.length === before ? (labels as Record<string, string>) : undefined;
}

function object(value: unknown, path: string, problems: Problems): Fields | undefined {
  if (isRecord(value)) return value;
  return problems.add(
    path,
    value === undefined
      ? 'required: expected object'
      : `expected object, got ${describeValue(value)}`,
  );
}

function string(parent: Fields, key: string, path: string, problems: Problems): string | undefined {
  const value = parent[key];
  if (typeof value === 'string') return value;
  return problems.add(
    path === '' ? key : `${path}.${key}`,
    value === undefined
      ? 'required: expected string'
      : `expected string, got ${describeValue(value)}`,
  );
}

function alertStatus(
  parent: Fields,
  key: string,
  path: string,
  problems: Problems,
): 'firing' | 'resolved' | undefined {
  const value = parent[key];
  if (value === 'firing' || value === 'resolved') return value;
  return problems.add(path === '' ? key : `${path}.${key}`, 'expected "firing" or "resolved"');
}
