/**
 * The HTTP surface: `/` (landing page), `/metrics` (or `web.telemetry_path`; gzip when
 * the scraper accepts it, as Prometheus does), `/status`, `/healthz`, and the
 * healer's `/heal`. Anything else is a JSON 404, a known path with the wrong method a
 * JSON 405 with an Allow header, and an unexpected error a JSON 500.
 *
 * POST /heal goes straight to the healer's node:http listener, ahead of express: a
 * notification storm is the one load this server must absorb, and express's router and
 * request decoration cost more CPU per request than the healer's own work
 * (`npm run bench:heal`). Everything else, and /heal with another method, is express.
 *
 * With `basic_auth_users` in the web configuration file, every path asks for basic auth,
 * as node_exporter's do, except POST /heal while the healer checks its own bearer token:
 * Alertmanager sends one Authorization header, and the scrape credentials must not be
 * able to trigger healing. With `recovery.auth_disabled`, /heal asks for basic auth too.
 * `/heal/maintenance` (pause and resume healing) is authenticated like POST /heal.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { MAINTENANCE_PATH, type MaintenanceHandler } from '../heal/receive/maintenance-handler.js';
import type { WebhookHandler } from '../heal/receive/webhook-handler.js';
import type { Logger } from '../logger.js';
import type { BasicAuth } from './basic-auth.js';
import { answerInternalError, sendJson } from './json-response.js';
import type { ExpositionRenderer } from '../metrics/exposition.js';
import { serveLandingPage } from './landing-page.js';

export interface Health {
  healthy: boolean;
  /** Why the agent is unhealthy, when it is. */
  reason?: string;
  /** Serving, but a part refuses work (the healer: audit unwritable, Redis lost its state). */
  degraded?: boolean;
}

export interface AppOptions {
  renderer: ExpositionRenderer;
  status: () => unknown;
  health: () => Health;
  logger: Logger;
  /** The healer's listener for POST /heal. */
  heal?: WebhookHandler;
  /** The healer's listener for /heal/maintenance (any method), authenticated like /heal. */
  healMaintenance?: MaintenanceHandler;
  /** Where the exposition is served. @default /metrics */
  telemetryPath?: string;
  /** Basic authentication of every request (but POST /heal while `healHasOwnAuth`). */
  basicAuth?: BasicAuth;
  /** Whether POST /heal is authenticated by the healer's bearer token. @default true */
  healHasOwnAuth?: boolean;
  /** Headers added to every response (the web configuration's http_server_config.headers). */
  headers?: Record<string, string>;
}

const gzip = promisify(gzipCallback);

const HEAL_PATH = '/heal';

/** The methods each known path answers, for 405's Allow header. */
function routes(telemetryPath: string): Record<string, string> {
  return {
    '/': 'GET, HEAD',
    [telemetryPath]: 'GET, HEAD',
    '/status': 'GET, HEAD',
    '/healthz': 'GET, HEAD',
    [HEAL_PATH]: 'POST',
  };
}

/** Whether a request line's target is `path`, /heal unless told (with or without a query). */
function isHealPath(url: string | undefined, path = HEAL_PATH): boolean {
  if (url === undefined || !url.startsWith(path)) return false;
  return url.length === path.length || url[path.length] === '?';
}

export function createApp(options: AppOptions): RequestListener {
  const app = createExpressApp(options);
  const { heal, basicAuth, healHasOwnAuth = true } = options;
  const headers = Object.entries(options.headers ?? {});
  return (req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    const toHealer = heal !== undefined && req.method === 'POST' && isHealPath(req.url);
    const toMaintenance =
      options.healMaintenance !== undefined && isHealPath(req.url, MAINTENANCE_PATH);
    if (
      basicAuth &&
      !((toHealer || toMaintenance) && healHasOwnAuth) &&
      !basicAuth.check(req.headers.authorization)
    ) {
      sendJson(
        res,
        401,
        { error: 'unauthorized', message: 'this agent needs basic authentication' },
        { 'www-authenticate': 'Basic realm="aegis-sentinel", charset="UTF-8"' },
      );
      return;
    }
    if (toHealer) heal(req, res);
    else if (toMaintenance) options.healMaintenance?.(req, res);
    else app(req, res);
  };
}

function createExpressApp(options: AppOptions): express.Express {
  const { renderer, logger } = options;
  const telemetryPath = options.telemetryPath ?? '/metrics';
  const ROUTES = routes(telemetryPath);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/', serveLandingPage(options));

  app.get(telemetryPath, async (req: Request, res: Response) => {
    const exposition = await renderer.render(req.get('accept'));
    res.set('content-type', exposition.contentType).vary('Accept').vary('Accept-Encoding');
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.set('content-encoding', 'gzip').send(await gzip(exposition.body));
    } else {
      res.send(exposition.body);
    }
  });

  // JSON answers go through sendJson, not res.json: express would look their charset up
  // in mime-db (200 KB of JSON, read on first use: scripts/bundle-cli.mjs), for /healthz
  // on the answer start-up waits for.
  app.get('/status', (_req, res) => {
    sendJson(res, 200, options.status());
  });

  app.get('/healthz', (_req, res) => {
    const health = options.health();
    sendJson(
      res,
      health.healthy ? 200 : 503,
      health.healthy
        ? { status: 'ok' }
        : { status: health.degraded ? 'degraded' : 'unhealthy', reason: health.reason },
    );
  });

  app.use((req, res) => {
    const allow = ROUTES[req.path];
    if (allow) {
      sendJson(
        res,
        405,
        {
          error: 'method_not_allowed',
          message: `${req.method} is not allowed on ${req.path}; use ${allow}`,
        },
        { allow },
      );
      return;
    }
    sendJson(res, 404, { error: 'not_found', message: `no such path: ${req.path}` });
  });

  const onError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    answerInternalError(res, logger, req.path, error);
  };
  app.use(onError);
  return app;
}
