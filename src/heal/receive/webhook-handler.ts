/**
 * POST /heal, completely: bearer token, content type, body limit, JSON, payload check,
 * then the healer. Every refusal (401, 403, 413, 415, 400, 422) is a JSON body
 * `{ error, message, problems }` whose problems name the failing field path; a 503 or
 * a 500 is `{ error, message }`. Nothing reaches the healer before all HTTP checks
 * passed, and an unexpected error anywhere is a logged 500, never a crash. Checks run
 * cheapest and least trusting first: the token is checked before the body is read.
 *
 * It is a plain node:http request listener, with no express request or response
 * helpers: the agent's server hands POST /heal to it directly, because express's routing
 * and prototype swapping cost more per request than the healer's own work
 * (`npm run bench:heal`).
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { answerInternalError, sendJson } from '../../http/json-response.js';
import type { Logger } from '../../logger.js';
import type { Authenticator } from './auth.js';
import type { HealMetrics } from '../heal-metrics.js';
import { eventLoopSlices, type Slices } from '../dispatch/slices.js';
import { Admission } from './admission.js';
import { BodyError, checkJsonHeaders, readBody } from './json-body.js';
import { readNotification } from './notification-reader.js';
import type { Notification, ParsedNotification, PayloadProblem } from './webhook-payload.js';

export interface WebhookReply {
  status: number;
  body: unknown;
}

interface RefusalOptions {
  /** The answer's message, when not the first problem's description. */
  message?: string;
  headers?: OutgoingHttpHeaders;
}

export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface WebhookHandlerOptions {
  /** False before start and while stopping: /heal answers 503 so Alertmanager delivers again. */
  ready(): boolean;
  auth: Authenticator;
  maxBodyBytes: number;
  metrics: HealMetrics;
  logger: Logger;
  /** Judges and enqueues a valid notification; `receivedAt` is performance.now() on arrival. */
  receive(notification: Notification, receivedAt: number): Promise<WebhookReply>;
  /** The event loop's slices, shared with the dispatcher (dispatch/slices.ts). */
  slices?: Slices;
  /**
   * How many notifications are judged (parsed, planned, claimed) at once; parsing itself
   * is one at a time. @default 1
   */
  concurrency?: number;
  /** How many bytes of bodies may wait to be judged; beyond, 503. @default 16 × maxBodyBytes */
  maxWaitingBytes?: number;
}

/** How many bodies of the largest size may wait to be judged (admission.ts). */
const WAITING_BODIES = 16;

/** The listener for POST /heal; the agent's server answers other methods with its 405. */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const { auth, metrics, logger, maxBodyBytes } = options;
  const slices = options.slices ?? eventLoopSlices;

  /** `PATH: problem`, the body's path written `(body)`. */
  const describe = (problem: PayloadProblem): string =>
    `${problem.path || '(body)'}: ${problem.message}`;

  /** Counts, logs and answers a refusal; its message describes the first problem unless given. */
  const refuse = (
    res: ServerResponse,
    status: number,
    error: string,
    metricStatus: 'invalid' | 'unauthorized',
    problems: PayloadProblem[],
    { message = describe(problems[0] as PayloadProblem), headers }: RefusalOptions = {},
  ): void => {
    metrics.notifications.inc({ status: metricStatus });
    logger.warn(
      { event: 'heal_notification_rejected', status, error, problems },
      `/heal refused (${status}): ${message}`,
    );
    sendJson(res, status, { error, message, problems }, headers);
  };

  /** Whether the bearer token is right; answers 401/403 when not. */
  const authenticated = (req: IncomingMessage, res: ServerResponse): boolean => {
    switch (auth.check(req.headers.authorization)) {
      case 'ok':
        return true;
      case 'not_configured':
        refuse(
          res,
          403,
          'auth_not_configured',
          'unauthorized',
          [{ path: 'authorization', message: 'no token is configured on the healer' }],
          { message: `healing needs a token: ${auth.howToConfigure}` },
        );
        return false;
      case 'missing':
        refuse(
          res,
          401,
          'unauthorized',
          'unauthorized',
          [
            {
              path: 'authorization',
              message: 'missing bearer token (Authorization: Bearer TOKEN)',
            },
          ],
          { headers: { 'www-authenticate': 'Bearer realm="aegis-sentinel"' } },
        );
        return false;
      case 'wrong':
        refuse(
          res,
          401,
          'unauthorized',
          'unauthorized',
          [{ path: 'authorization', message: 'wrong bearer token' }],
          {
            headers: { 'www-authenticate': 'Bearer realm="aegis-sentinel", error="invalid_token"' },
          },
        );
        return false;
    }
  };

  const refuseBody = (res: ServerResponse, error: BodyError): void => {
    refuse(res, error.status, error.kind, 'invalid', [
      { path: error.path, message: error.message },
    ]);
  };

  const admission = new Admission(
    options.concurrency ?? 1,
    options.maxWaitingBytes ?? WAITING_BODIES * maxBodyBytes,
  );
  let parsing: Promise<unknown> = Promise.resolve();
  /** Runs `work` once the parsing queued before it has settled: one notification parsed at a time. */
  const oneAtATime = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = parsing.then(work);
    parsing = turn.catch(() => undefined);
    return turn;
  };

  /** Answers one request completely; anything thrown or rejected in it is a logged 500. */
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Arrival: dispatch_delay_ms counts from here, the body's transfer included.
    const receivedAt = performance.now();
    if (!options.ready()) {
      sendJson(res, 503, {
        error: 'healer_not_running',
        message: 'the healer is not running; deliver again later',
      });
      return;
    }
    if (!authenticated(req, res)) return;
    const refused = checkJsonHeaders(req, maxBodyBytes);
    if (refused) {
      refuseBody(res, refused);
      return;
    }
    let bytes: Buffer;
    try {
      bytes = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      // A client that went away gets no answer; one that sent too much does.
      if (error.kind === 'aborted') logger.debug({ event: 'heal_request_aborted' }, error.message);
      else refuseBody(res, error);
      return;
    }
    const turn = admission.enter(bytes.length);
    if (turn === undefined) {
      const { notifications, bytes: waiting } = admission.waiting;
      metrics.notifications.inc({ status: 'refused' });
      logger.warn(
        {
          event: 'heal_notification_refused',
          reason: 'busy',
          waiting: notifications,
          waiting_bytes: waiting,
        },
        `/heal refused (503): ${notifications} notification(s) of ${waiting} bytes wait to be judged`,
      );
      sendJson(res, 503, {
        error: 'healer_busy',
        message: `${notifications} notification(s) wait to be judged; deliver again later`,
      });
      return;
    }
    const leave = await turn;
    try {
      const notification = await oneAtATime(() => parse(res, bytes));
      if (notification === undefined) return;
      // The policy's slice; the claims then wait on the store.
      await slices.next();
      const reply = await options.receive(notification, receivedAt);
      sendJson(res, reply.status, reply.body);
    } finally {
      leave();
    }
  };

  /**
   * Parses and checks one notification, or answers its refusal (undefined). A large one
   * is read alert by alert in the event loop's slices (notification-reader.ts): other
   * requests (/healthz, /metrics) are answered in between (`npm run bench:storm`).
   */
  const parse = async (res: ServerResponse, bytes: Buffer): Promise<Notification | undefined> => {
    await slices.next();
    let parsed: ParsedNotification;
    try {
      parsed = await readNotification(bytes, slices);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      refuseBody(res, error);
      return undefined;
    }
    if (!parsed.ok) {
      refuse(res, 400, 'invalid_notification', 'invalid', parsed.problems);
      return undefined;
    }
    return parsed.notification;
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      try {
        answerInternalError(res, logger, '/heal', error);
      } catch {
        // Not even that worked: drop the connection rather than the process.
        res.destroy();
      }
    });
  };
}
