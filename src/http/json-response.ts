/** JSON answers on node's response, for handlers with or without express. */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';

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

/** An unexpected error: logged with its path, and answered with a JSON 500 if nothing was sent yet. */
export function answerInternalError(
  res: ServerResponse,
  logger: Logger,
  path: string,
  error: unknown,
): void {
  logger.error({ event: 'http_request_failed', path, err: error }, 'request failed');
  if (res.headersSent) return;
  sendJson(res, 500, { error: 'internal_error', message: 'the request failed; see the agent log' });
}
