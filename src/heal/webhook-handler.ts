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
import type { Logger } from '../logger.js';
import type { Authenticator } from './auth.js';
import type { HealMetrics } from './heal-metrics.js';
import { BodyError, checkJsonHeaders, readJsonBody } from './json-body.js';
import { type Notification, type PayloadProblem, parseNotification } from './webhook-payload.js';

export interface WebhookReply {
  status: number;
  body: unknown;
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
}

/** Writes `body` as the JSON response, with `headers` besides the content type. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: OutgoingHttpHeaders,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** The listener for POST /heal; the agent's server answers other methods with its 405. */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const { auth, metrics, logger, maxBodyBytes } = options;

  const refuse = (
    res: ServerResponse,
    status: number,
    error: string,
    message: string,
    metricStatus: 'invalid' | 'unauthorized',
    problems: PayloadProblem[],
    headers?: OutgoingHttpHeaders,
  ): void => {
    metrics.notifications.inc({ status: metricStatus });
    logger.warn(
      { event: 'heal_notification_rejected', status, error, problems },
      `/heal refused (${status}): ${message}`,
    );
    sendJson(res, status, { error, message, problems }, headers);
  };

  /** Refuses a request whose single problem is `problem`; the message names where it is. */
  const refuseOne = (
    res: ServerResponse,
    status: number,
    error: string,
    metricStatus: 'invalid' | 'unauthorized',
    problem: PayloadProblem,
    headers?: OutgoingHttpHeaders,
  ): void => {
    const message = `${problem.path || '(body)'}: ${problem.message}`;
    refuse(res, status, error, message, metricStatus, [problem], headers);
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
          `healing needs a token: ${auth.howToConfigure}`,
          'unauthorized',
          [{ path: 'authorization', message: 'no token is configured on the healer' }],
        );
        return false;
      case 'missing':
        refuseOne(
          res,
          401,
          'unauthorized',
          'unauthorized',
          {
            path: 'authorization',
            message: 'missing bearer token (Authorization: Bearer TOKEN)',
          },
          { 'www-authenticate': 'Bearer realm="aegis-sentinel"' },
        );
        return false;
      case 'wrong':
        refuseOne(
          res,
          401,
          'unauthorized',
          'unauthorized',
          { path: 'authorization', message: 'wrong bearer token' },
          { 'www-authenticate': 'Bearer realm="aegis-sentinel", error="invalid_token"' },
        );
        return false;
    }
  };

  const refuseBody = (res: ServerResponse, error: BodyError): void => {
    refuseOne(res, error.status, error.kind, 'invalid', {
      path: error.path,
      message: error.message,
    });
  };

  /** Answers one request completely; anything thrown or rejected in it ends in `fail`. */
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
    let body: unknown;
    try {
      body = await readJsonBody(req, maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      // A client that went away gets no answer; one that sent too much or broken JSON does.
      if (error.kind === 'aborted') logger.debug({ event: 'heal_request_aborted' }, error.message);
      else refuseBody(res, error);
      return;
    }
    const parsed = parseNotification(body);
    if (!parsed.ok) {
      const { problems } = parsed;
      const first = problems[0] as PayloadProblem;
      refuse(
        res,
        400,
        'invalid_notification',
        `${first.path || '(body)'}: ${first.message}`,
        'invalid',
        problems,
      );
      return;
    }
    const reply = await options.receive(parsed.notification, receivedAt);
    sendJson(res, reply.status, reply.body);
  };

  /** An unexpected error: logged, and answered with a JSON 500 if nothing was sent yet. */
  const fail = (res: ServerResponse, error: unknown): void => {
    try {
      logger.error({ event: 'http_request_failed', path: '/heal', err: error }, 'request failed');
      if (!res.headersSent) {
        sendJson(res, 500, {
          error: 'internal_error',
          message: 'the request failed; see the agent log',
        });
      }
    } catch {
      // Not even that worked: drop the connection rather than the process.
      res.destroy();
    }
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => fail(res, error));
  };
}
