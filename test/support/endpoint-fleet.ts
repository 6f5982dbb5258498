/**
 * A fleet of HTTP endpoints in a process of its own, on one loopback port: every path
 * answers 200 at once, except `/hung`, which accepts the request and never answers. The
 * services tier's hung-endpoint case and `npm run bench:agent` probe it.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const SERVER = `
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  if (req.url === '/hung') return;
  res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
});
server.keepAliveTimeout = 1000;
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

export interface EndpointFleet {
  pid: number;
  /** `count` URLs of fast endpoints, then the hung one's when asked for. */
  urls(count: number, withHung?: boolean): string[];
  hungUrl: string;
  stop(): Promise<void>;
}

export async function startEndpointFleet(): Promise<EndpointFleet> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => resolve(Number(line)));
    child.once('exit', (code) => reject(new Error(`the endpoint fleet exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    pid: child.pid!,
    urls: (count, withHung = false) => [
      ...Array.from({ length: count }, (_, index) => `${base}/t/${index}`),
      ...(withHung ? [`${base}/hung`] : []),
    ],
    hungUrl: `${base}/hung`,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
