// The Docker API over TLS with client certificates, as a daemon run with --tlsverify
// serves it: podman's API speaks no TLS, so this thin HTTPS front passes each request
// from a client whose certificate it trusts on to an engine's unix socket, unchanged.
import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface DockerTlsProxy {
  /** `tcp://127.0.0.1:PORT`, as `recovery.docker_endpoints` names a TLS daemon. */
  host: string;
  /** Requests passed on, from authorised clients only. */
  forwarded(): number;
  stop(): Promise<void>;
}

export async function startDockerTlsProxy(options: {
  socketPath: string;
  /** The server's certificate and key. */
  cert: Buffer;
  key: Buffer;
  /** The certificate (or CA) a client must present. */
  clientCa: Buffer;
}): Promise<DockerTlsProxy> {
  let forwarded = 0;
  const server: Server = createServer(
    {
      cert: options.cert,
      key: options.key,
      ca: options.clientCa,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (incoming, outgoing) => {
      if (!(incoming.socket as TLSSocket).authorized) {
        outgoing.writeHead(403).end();
        return;
      }
      forwarded += 1;
      const upstream = request(
        {
          socketPath: options.socketPath,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstream.on('error', () => outgoing.destroy());
      incoming.pipe(upstream);
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    host: `tcp://127.0.0.1:${port}`,
    forwarded: () => forwarded,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
