// A TCP proxy on 127.0.0.1 in front of one server, whose new connections can be held:
// accepted, then left unanswered until released. It stands for a peer that is slow or
// hung at the moment a test chooses, which a real Redis Sentinel cannot be made to be.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface HeldProxy {
  /** `127.0.0.1:PORT`. */
  address: string;
  /** From now on, connections are accepted and not passed on until release(). */
  hold(): void;
  /** Passes the held connections on, and every later one at once. */
  release(): void;
  /** Connections accepted while held. */
  held(): number;
  stop(): Promise<void>;
}

export async function startHeldProxy(upstreamPort: number): Promise<HeldProxy> {
  const sockets = new Set<Socket>();
  let holding = false;
  let heldCount = 0;
  let waiting: Socket[] = [];

  const pass = (incoming: Socket): void => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    incoming.on('error', () => upstream.destroy());
    upstream.on('error', () => incoming.destroy());
    incoming.pipe(upstream).pipe(incoming);
  };

  const server: Server = createServer((incoming) => {
    sockets.add(incoming);
    incoming.on('close', () => sockets.delete(incoming));
    // A client that resets while held must not be an uncaught error.
    incoming.on('error', () => undefined);
    if (holding) {
      heldCount += 1;
      // Bytes sent meanwhile stay buffered in the paused socket until it is passed on.
      incoming.pause();
      waiting.push(incoming);
    } else {
      pass(incoming);
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      const released = waiting;
      waiting = [];
      for (const incoming of released) if (!incoming.destroyed) pass(incoming);
    },
    held: () => heldCount,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => server.close(done));
    },
  };
}
