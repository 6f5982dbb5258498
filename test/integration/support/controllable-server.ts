/** A loopback HTTP server whose behaviour a test switches: answer 200, answer 500, or hang. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = 'ok' | 'fail' | 'hang' | { delayMs: number };

export interface ControllableServer {
  url: string;
  set(behaviour: Behaviour): void;
  close(): Promise<void>;
}

export async function startControllableServer(): Promise<ControllableServer> {
  let behaviour: Behaviour = 'ok';
  const server: Server = createServer((_req, res) => {
    if (behaviour === 'hang') return; // never answers; the probe's timeout must end it
    if (behaviour === 'fail') {
      res.writeHead(500).end('broken');
      return;
    }
    const delay = typeof behaviour === 'object' ? behaviour.delayMs : 0;
    setTimeout(() => res.writeHead(200).end('ok'), delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health`,
    set: (next) => {
      behaviour = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
