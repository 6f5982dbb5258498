/** Listening (HTTP, or HTTPS as the web configuration file says) and closing gracefully. */
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { WebSettings } from '../config/web-config-file.js';
import { parseListenAddress, type WebConfig } from '../config/web.js';

export interface ListeningServer {
  server: Server;
  address: { host: string; port: number };
  tls: boolean;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then drops what is left. */
  close(graceMs: number): Promise<void>;
}

export async function listen(
  config: WebConfig,
  handler: RequestListener,
  settings: WebSettings = { headers: {} },
): Promise<ListeningServer> {
  const tls = settings.tls !== undefined;
  const server: Server = settings.tls
    ? createTlsServer(settings.tls, handler)
    : createHttpServer(handler);
  // Prometheus and Alertmanager keep connections alive; outlive their idle timeouts.
  server.keepAliveTimeout = 65_000;
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
 * An HTTPS server with exporter-toolkit's client_auth_type semantics. Node verifies a
 * client certificate against `ca` when asked (requestCert); whether a missing or
 * unverified one ends the connection is decided per type, at the handshake's end.
 */
function createTlsServer(tls: NonNullable<WebSettings['tls']>, handler: RequestListener): Server {
  const type = tls.clientAuthType;
  const server = createHttpsServer(
    {
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
