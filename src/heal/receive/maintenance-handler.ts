/**
 * `/heal/maintenance`: pause and resume all healing, authenticated like POST /heal (the
 * same bearer token), so whoever may trigger healing may also stop it.
 *
 * - `GET` answers the state: `{ maintenance, since, reason }`;
 * - `POST` (optionally `?reason=TEXT`) pauses: every decision is then skipped with reason
 *   `maintenance`, from the webhook and the local loop alike, queued work included;
 * - `DELETE` resumes.
 *
 * Refusals are JSON `{ error, message }`: 401 without or with a wrong token, 403 when
 * no token is configured, 405 for another method.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerInternalError, sendJson } from '../../http/json-response.js';
import type { Logger } from '../../logger.js';
import type { Authenticator } from './auth.js';

export const MAINTENANCE_PATH = '/heal/maintenance';

/** Longest reason kept. */
const MAX_REASON = 200;

export interface MaintenanceState {
  maintenance: boolean;
  /** ISO time the pause began, null when not paused. */
  since: string | null;
  reason: string | null;
}

export interface MaintenanceHandlerOptions {
  auth: Authenticator;
  logger: Logger;
  state(): MaintenanceState;
  /** Pauses (with a reason) or resumes; answers the new state. */
  set(paused: boolean, reason: string | null, by: string): MaintenanceState;
}

export type MaintenanceHandler = (req: IncomingMessage, res: ServerResponse) => void;

export function createMaintenanceHandler(options: MaintenanceHandlerOptions): MaintenanceHandler {
  const { auth, logger } = options;
  return (req, res) => {
    try {
      switch (auth.check(req.headers.authorization)) {
        case 'not_configured':
          sendJson(res, 403, {
            error: 'auth_not_configured',
            message: `maintenance needs the healing token: ${auth.howToConfigure}`,
          });
          return;
        case 'missing':
        case 'wrong':
          sendJson(
            res,
            401,
            { error: 'unauthorized', message: 'missing or wrong bearer token' },
            { 'www-authenticate': 'Bearer realm="aegis-sentinel"' },
          );
          return;
        case 'ok':
          break;
      }
      const url = new URL(req.url ?? MAINTENANCE_PATH, 'http://agent');
      const by = req.socket.remoteAddress ?? 'unknown';
      switch (req.method) {
        case 'GET':
        case 'HEAD':
          sendJson(res, 200, options.state());
          return;
        case 'POST': {
          const reason = url.searchParams.get('reason')?.slice(0, MAX_REASON) ?? null;
          sendJson(res, 200, options.set(true, reason, by));
          return;
        }
        case 'DELETE':
          sendJson(res, 200, options.set(false, null, by));
          return;
        default:
          sendJson(
            res,
            405,
            {
              error: 'method_not_allowed',
              message: `${req.method} is not allowed on ${MAINTENANCE_PATH}; use GET, POST, DELETE`,
            },
            { allow: 'GET, HEAD, POST, DELETE' },
          );
      }
    } catch (error) {
      answerInternalError(res, logger, MAINTENANCE_PATH, error);
    }
  };
}
