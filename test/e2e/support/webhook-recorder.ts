// A stand-in for a pager: records every Alertmanager webhook delivery it receives.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookDelivery {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: { status: string; labels: Record<string, string>; fingerprint: string }[];
  /** The Authorization header it came with, if any. */
  authorization: string | undefined;
}

export interface WebhookRecorder {
  url: string;
  deliveries: WebhookDelivery[];
  close(): Promise<void>;
}

export async function startWebhookRecorder(): Promise<WebhookRecorder> {
  const deliveries: WebhookDelivery[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      try {
        deliveries.push({
          ...(JSON.parse(body) as Omit<WebhookDelivery, 'authorization'>),
          authorization: req.headers.authorization,
        });
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    deliveries,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
