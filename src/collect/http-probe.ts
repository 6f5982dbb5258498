/**
 * One HTTP probe, as blackbox_exporter's http prober makes it: a new connection each
 * time (no keep-alive), redirects followed, the whole body read, one timeout over all.
 *
 * The duration is taken at the socket: from the request's creation, in the same tick
 * as its socket's, to the last byte of the body. A probe that waited for the event
 * loop before it started does not count that wait, which is what made fetch()-based
 * timings of a 1 ms loopback endpoint read 30 ms when every probe fired at once.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { EndpointConfig } from '../config/monitoring.js';
import { nodeHttps } from '../util/node-https.js';
import type { ProbeResult } from './snapshot.js';

/** blackbox_exporter's limit, and Go's http.Client's. */
const MAX_REDIRECTS = 10;

const HEADERS = { 'user-agent': 'aegis-sentinel-probe' };

/** Why a probe ended early: its timeout, or the agent stopping. */
class ProbeAbortedError extends Error {
  override readonly name = 'ProbeAbortedError';
}

export async function probeHttp(
  endpoint: EndpointConfig,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const target = endpoint.name ?? endpoint.url;
  const started = performance.now();
  const result = (fields: Omit<ProbeResult, 'target' | 'url' | 'duration_seconds'>) => ({
    target,
    url: endpoint.url,
    duration_seconds: (performance.now() - started) / 1000,
    ...fields,
  });
  const aborter = new AbortController();
  const timer = setTimeout(
    () => aborter.abort(new ProbeAbortedError(`timed out after ${timeoutSeconds}s`)),
    timeoutSeconds * 1000,
  );
  const onStop = () => aborter.abort(new ProbeAbortedError('the agent is stopping'));
  signal?.addEventListener('abort', onStop, { once: true });
  try {
    let url = new URL(endpoint.url);
    let method: string = endpoint.method;
    for (let redirects = 0; ; redirects += 1) {
      const status = await exchange(url, method, aborter.signal);
      const location = status.location;
      if (location === undefined || status.code < 300 || status.code > 399) {
        const success = endpoint.valid_status_codes
          ? endpoint.valid_status_codes.includes(status.code)
          : status.code >= 200 && status.code < 300;
        return success
          ? result({ success, status_code: status.code })
          : result({
              success,
              status_code: status.code,
              error: `unexpected status ${status.code}`,
            });
      }
      if (redirects === MAX_REDIRECTS)
        return result({ success: false, status_code: 0, error: 'too many redirects' });
      url = new URL(location, url);
      if (status.code === 303 && method !== 'HEAD') method = 'GET';
    }
  } catch (error) {
    return result({ success: false, status_code: 0, error: describe(error) });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onStop);
  }
}

/** One request and its whole response body; resolves with the status and Location. */
function exchange(
  url: URL,
  method: string,
  signal: AbortSignal,
): Promise<{ code: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? nodeHttps().request : httpRequest;
    const req = send(url, { method, agent: false, headers: HEADERS, signal });
    req.once('error', (error) => reject(signal.aborted ? signal.reason : error));
    req.once('response', (res: IncomingMessage) => {
      res.once('error', (error) => reject(signal.aborted ? signal.reason : error));
      res.once('end', () => resolve({ code: res.statusCode ?? 0, location: res.headers.location }));
      res.resume();
    });
    req.end();
  });
}

function describe(error: unknown): string {
  if (error instanceof ProbeAbortedError) return error.message;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
