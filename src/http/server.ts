/** Listening (HTTP, or HTTPS with the configured certificate) and closing gracefully. */
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
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
): Promise<ListeningServer> {
  const tls = config.tls_cert_file !== undefined && config.tls_key_file !== undefined;
  const server: Server = tls
    ? createHttpsServer(
        {
          cert: await readFile(config.tls_cert_file as string),
          key: await readFile(config.tls_key_file as string),
        },
        handler,
      )
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
