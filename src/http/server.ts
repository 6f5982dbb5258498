/**
 * Listening (HTTP, or HTTPS as the web configuration file says) within the `web`
 * section's limits, and closing gracefully.
 *
 * The limits, each a flag: a request must arrive whole within `request_timeout` (Node
 * answers 408) and its headers within `headers_timeout`; a connection silent for
 * `body_timeout` while a request is read or answered is closed, so a client that stalls
 * its body, authenticated or not, holds a socket for seconds rather than Node's 300;
 * at most `max_connections` are open at once.
 */
import {
  createServer as createHttpServer,
  type RequestListener,
  type Server,
  type ServerOptions,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { WebSettings } from '../config/web-config-file.js';
import { parseListenAddress, type WebConfig } from '../config/web.js';
import type { Logger } from '../logger.js';
import { nodeHttps } from '../util/node-https.js';

/** Least time between two warnings that connections were refused at the cap. */
const DROP_WARNING_INTERVAL_MS = 60_000;

type Limits = Pick<
  WebConfig,
  'request_timeout' | 'headers_timeout' | 'body_timeout' | 'keep_alive_timeout' | 'max_connections'
>;

export interface ListeningServer {
  server: Server;
  address: { host: string; port: number };
  tls: boolean;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then drops what is left. */
  close(graceMs: number): Promise<void>;
}

export async function listen(
  config: Pick<WebConfig, 'listen_address'> & Limits,
  handler: RequestListener,
  settings: WebSettings = { headers: {} },
  logger?: Logger,
): Promise<ListeningServer> {
  const requestMs = config.request_timeout * 1000;
  const headersMs = config.headers_timeout * 1000;
  const options: ServerOptions = {
    requestTimeout: requestMs,
    headersTimeout: headersMs,
    // Node checks the two above on a timer (30 s by default): often enough to keep them.
    connectionsCheckingInterval: Math.max(10, Math.min(1000, headersMs / 4, requestMs / 4)),
    keepAliveTimeout: config.keep_alive_timeout * 1000,
  };
  const bodyMs = config.body_timeout * 1000;
  const guarded = cutAnsweredButUnread(handler, bodyMs);
  const tls = settings.tls !== undefined;
  const server: Server = settings.tls
    ? createTlsServer(settings.tls, options, guarded)
    : createHttpServer(options, guarded);
  // The idle timeout of a connection busy with a request; without a listener on
  // 'timeout', Node destroys the socket.
  server.timeout = bodyMs;
  server.maxConnections = config.max_connections;
  warnOnDroppedConnections(server, config.max_connections, logger);
  const { host, port } = parseListenAddress(config.listen_address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const info = server.address() as AddressInfo;
  return {
    server,
    address: { host: info.address, port: info.port },
    tls,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        // close() also closes idle keep-alive connections (Node >= 19); busy ones get graceMs.
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

/**
 * After an answer sent before its request's body was read (a 401 to a client without a
 * token, say), Node reads and drops the rest of the body with no idle timeout, so a
 * client that stalls it held the connection until request_timeout. The idle timeout
 * is set again then: a silent client is cut at body_timeout.
 */
function cutAnsweredButUnread(handler: RequestListener, bodyMs: number): RequestListener {
  return (req, res) => {
    res.once('finish', () => {
      if (!req.complete) req.socket.setTimeout(bodyMs);
    });
    handler(req, res);
  };
}

/** Logs, at most once a minute, how many connections the cap refused. */
function warnOnDroppedConnections(server: Server, cap: number, logger: Logger | undefined): void {
  if (logger === undefined) return;
  let dropped = 0;
  let warnedAt = -Infinity;
  server.on('drop', () => {
    dropped += 1;
    const now = Date.now();
    if (now - warnedAt < DROP_WARNING_INTERVAL_MS) return;
    warnedAt = now;
    logger.warn(
      { event: 'http_connections_capped', max_connections: cap, dropped },
      `${dropped} connection(s) refused: web.max_connections (${cap}) are open`,
    );
    dropped = 0;
  });
}

/**
 * An HTTPS server with exporter-toolkit's client_auth_type semantics. Node verifies a
 * client certificate against `ca` when asked (requestCert); whether a missing or
 * unverified one ends the connection is decided per type, at the handshake's end.
 */
function createTlsServer(
  tls: NonNullable<WebSettings['tls']>,
  options: ServerOptions,
  handler: RequestListener,
): Server {
  const type = tls.clientAuthType;
  const server = nodeHttps().createServer(
    {
      ...options,
      cert: tls.cert,
      key: tls.key,
      ...(tls.ca === undefined ? {} : { ca: tls.ca }),
      minVersion: tls.minVersion,
      maxVersion: tls.maxVersion,
      honorCipherOrder: tls.honorCipherOrder,
      ...(tls.ecdhCurve === undefined ? {} : { ecdhCurve: tls.ecdhCurve }),
      requestCert: type !== 'NoClientCert',
      rejectUnauthorized: type === 'RequireAndVerifyClientCert',
    },
    handler,
  );
  if (type === 'NoClientCert' || type === 'RequestClientCert') return server;
  server.on('secureConnection', (socket: TLSSocket) => {
    const peer = socket.getPeerCertificate();
    const given = peer !== null && Object.keys(peer).length > 0;
    const refuse =
      (type === 'RequireAnyClientCert' && !given) ||
      (type === 'VerifyClientCertIfGiven' && given && !socket.authorized) ||
      (tls.clientAllowedSans !== undefined &&
        !(peer.subjectaltname ?? '')
          .split(', ')
          .some((san) => tls.clientAllowedSans!.includes(san.replace(/^[A-Za-z ]+:/, ''))));
    if (refuse) socket.destroy();
  });
  return server;
}
