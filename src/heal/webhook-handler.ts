/**
 * POST /heal, completely: bearer token, content type, body limit, JSON, payload check,
 * then the healer. Every refusal is a JSON body `{ error, message, problems? }` whose
 * problems name the failing field path, and nothing reaches the healer before all HTTP
 * checks passed. Checks run cheapest and least trusting first: the token is checked
 * before the body is read at all. It is one request handler, not a router of layers:
 * every express layer costs on every request (`npm run bench:heal`).
 */
import express, { type Request, type RequestHandler, type Response } from 'express';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logger.js';
import type { Authenticator } from './auth.js';
import type { HealMetrics } from './heal-metrics.js';
import { type Notification, type PayloadProblem, parseNotification } from './webhook-payload.js';

export interface WebhookReply {
  status: number;
  body: unknown;
}

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

/** The handler for POST /heal; the app answers other methods with its 405. */
export function createWebhookHandler(options: WebhookHandlerOptions): RequestHandler {
  const { auth, metrics, logger } = options;

  const refuse = (
    res: Response,
    status: number,
    error: string,
    message: string,
    metricStatus: 'invalid' | 'unauthorized',
    problems: PayloadProblem[],
  ): void => {
    metrics.notifications.inc({ status: metricStatus });
    logger.warn(
      { event: 'heal_notification_rejected', status, error, problems },
      `/heal refused (${status}): ${message}`,
    );
    res.status(status).json({ error, message, problems });
  };

  /** Whether the healer runs; answers 503 when not. */
  const ready = (res: Response): boolean => {
    if (options.ready()) return true;
    res.status(503).json({
      error: 'healer_not_running',
      message: 'the healer is not running; deliver again later',
    });
    return false;
  };

  /** Whether the bearer token is right; answers 401/403 when not. */
  const authenticated = (req: Request, res: Response): boolean => {
    switch (auth.check(req.get('authorization'))) {
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
        res.set('www-authenticate', 'Bearer realm="aegis-sentinel"');
        refuse(
          res,
          401,
          'unauthorized',
          'missing bearer token (Authorization: Bearer TOKEN)',
          'unauthorized',
          [{ path: 'authorization', message: 'missing bearer token' }],
        );
        return false;
      case 'wrong':
        res.set('www-authenticate', 'Bearer realm="aegis-sentinel", error="invalid_token"');
        refuse(res, 401, 'unauthorized', 'wrong bearer token', 'unauthorized', [
          { path: 'authorization', message: 'wrong bearer token' },
        ]);
        return false;
    }
  };

  /** Whether the body is declared JSON; answers 415 when not. */
  const json = (req: Request, res: Response): boolean => {
    if (req.is('application/json')) return true;
    const given = req.get('content-type') ?? '(none)';
    refuse(
      res,
      415,
      'unsupported_media_type',
      `expected Content-Type: application/json, got ${given}`,
      'invalid',
      [{ path: 'content-type', message: `expected application/json, got ${given}` }],
    );
    return false;
  };

  const parseJson = express.json({ limit: options.maxBodyBytes, strict: false, type: () => true });

  const onBodyError = (error: unknown, res: Response, next: (error: unknown) => void): void => {
    const { type, message } = error as { type?: string; message?: string };
    switch (type) {
      case 'entity.too.large':
        refuse(
          res,
          413,
          'payload_too_large',
          `the body is over the limit of ${options.maxBodyBytes} bytes`,
          'invalid',
          [{ path: '', message: `larger than recovery.max_body_bytes (${options.maxBodyBytes})` }],
        );
        return;
      case 'entity.parse.failed':
        refuse(res, 400, 'invalid_json', `the body is not JSON: ${message}`, 'invalid', [
          { path: '', message: `not JSON: ${message}` },
        ]);
        return;
      case 'encoding.unsupported':
      case 'charset.unsupported':
        refuse(res, 415, 'unsupported_media_type', message ?? 'unsupported encoding', 'invalid', [
          { path: 'content-type', message: message ?? 'unsupported encoding' },
        ]);
        return;
      default:
        next(error);
    }
  };

  const handle = async (req: Request, res: Response): Promise<void> => {
    const receivedAt = performance.now();
    const parsed = parseNotification(req.body);
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
    res.status(reply.status).json(reply.body);
  };

  return (req, res, next) => {
    if (!(ready(res) && authenticated(req, res) && json(req, res))) return;
    parseJson(req, res, (error?: unknown) => {
      if (error !== undefined) onBodyError(error, res, next);
      else handle(req, res).catch(next);
    });
  };
}
