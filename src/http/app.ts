/**
 * The HTTP surface: `/` (landing page), `/metrics`, `/status`, `/healthz`, and the
 * healer's `/heal`. Anything else is a JSON 404, a known path with the wrong method a
 * JSON 405 with an Allow header, and an unexpected error a JSON 500.
 *
 * POST /heal goes straight to the healer's node:http listener, ahead of express: a
 * notification storm is the one load this server must absorb, and express's router and
 * request decoration cost more CPU per request than the healer's own work
 * (`npm run bench:heal`). Everything else, and /heal with another method, is express.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import type { WebhookHandler } from '../heal/webhook-handler.js';
import type { Logger } from '../logger.js';
import { answerInternalError } from './json-response.js';
import type { ExpositionRenderer } from '../metrics/exposition.js';
import { serveLandingPage } from './landing-page.js';

export interface Health {
  healthy: boolean;
  /** Why the agent is unhealthy, when it is. */
  reason?: string;
}

export interface AppOptions {
  renderer: ExpositionRenderer;
  status: () => unknown;
  health: () => Health;
  logger: Logger;
  /** The healer's listener for POST /heal. */
  heal?: WebhookHandler;
}

const HEAL_PATH = '/heal';

/** The methods each known path answers, for 405's Allow header. */
const ROUTES: Record<string, string> = {
  '/': 'GET, HEAD',
  '/metrics': 'GET, HEAD',
  '/status': 'GET, HEAD',
  '/healthz': 'GET, HEAD',
  [HEAL_PATH]: 'POST',
};

/** Whether a request line's target is /heal (with or without a query). */
function isHealPath(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith(HEAL_PATH)) return false;
  return url.length === HEAL_PATH.length || url[HEAL_PATH.length] === '?';
}

export function createApp(options: AppOptions): RequestListener {
  const app = createExpressApp(options);
  const { heal } = options;
  if (!heal) return app;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && isHealPath(req.url)) heal(req, res);
    else app(req, res);
  };
}

function createExpressApp(options: AppOptions): express.Express {
  const { renderer, logger } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/', serveLandingPage(options));

  app.get('/metrics', async (req: Request, res: Response) => {
    const exposition = await renderer.render(req.get('accept'));
    res.set('content-type', exposition.contentType).send(exposition.body);
  });

  app.get('/status', (_req, res) => {
    res.json(options.status());
  });

  app.get('/healthz', (_req, res) => {
    const health = options.health();
    res
      .status(health.healthy ? 200 : 503)
      .json(health.healthy ? { status: 'ok' } : { status: 'unhealthy', reason: health.reason });
  });

  app.use((req, res) => {
    const allow = ROUTES[req.path];
    if (allow) {
      res
        .set('allow', allow)
        .status(405)
        .json({
          error: 'method_not_allowed',
          message: `${req.method} is not allowed on ${req.path}; use ${allow}`,
        });
      return;
    }
    res.status(404).json({ error: 'not_found', message: `no such path: ${req.path}` });
  });

  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    answerInternalError(res, logger, req.path, error);
  };
  app.use(onError);
  return app;
}
