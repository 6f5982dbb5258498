// A real Alertmanager for tests: Debian's `prometheus-alertmanager` on 127.0.0.1, alone
// (no gossip cluster), with private storage, loaded with the shipped
// prometheus/alertmanager.yml. Only addresses, the token file and intervals are changed.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { formatDuration, parseDurationSeconds } from '../../src/config/duration.js';
import { freeLoopbackPort } from './ports.js';
import { startPrivateDaemon } from './private-daemon.js';

// Two folders up from test/support, three when compiled to dist-bench/test/support for a bench.
const ROOT = join(
  import.meta.dirname,
  '..',
  '..',
  ...(import.meta.dirname.includes('dist-bench') ? ['..'] : []),
);
const SHIPPED_CONFIG = join(ROOT, 'prometheus', 'alertmanager.yml');
const ROUTE_INTERVALS = ['group_wait', 'group_interval', 'repeat_interval'] as const;

export interface AlertmanagerOptions {
  /** Each agent's /heal URL: the shipped `aegis-heal` webhook is repeated once per URL. */
  healUrls: string[];
  /** Where the `humans` receiver delivers. */
  humansUrl: string;
  /** The bearer token written to the file the `aegis-heal` webhook sends. */
  token: string;
  /** Every route interval is multiplied by this. @default 1/15, as Prometheus' 15 s to 1 s */
  intervalScale?: number;
  /**
   * Gossip with peers as an HA cluster: this member's `127.0.0.1:PORT` and the others'.
   * @default alone
   */
  cluster?: { listenAddress: string; peers: string[] };
}

export interface AmAlert {
  labels: Record<string, string>;
  fingerprint: string;
  startsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[] };
  receivers: { name: string }[];
}

export interface AlertmanagerServer {
  url: string;
  /** `127.0.0.1:PORT`, for Prometheus' alerting targets. */
  address: string;
  /** Alerts Alertmanager holds now, active or suppressed (/api/v2/alerts). */
  alerts(): Promise<AmAlert[]>;
  /** Stops the server and deletes its dir. Idempotent. */
  stop(): Promise<void>;
}

interface Route {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: Route[];
}

interface WebhookConfig {
  url: string;
  http_config?: { authorization?: { credentials_file?: string } };
}

interface ShippedConfig {
  route: Route;
  receivers: { name: string; webhook_configs?: WebhookConfig[] }[];
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<AlertmanagerServer> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-alertmanager-'));
  const port = await freeLoopbackPort();
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const tokenFile = join(dir, 'heal-token');
  await writeFile(tokenFile, `${options.token}\n`, { mode: 0o600 });

  const config = parseYaml(await readFile(SHIPPED_CONFIG, 'utf8')) as ShippedConfig;
  scaleRoute(config.route, options.intervalScale ?? 1 / 15);
  for (const receiver of config.receivers) {
    const [shipped, ...others] = receiver.webhook_configs ?? [];
    if (shipped === undefined || others.length > 0) {
      throw new Error(`receiver ${receiver.name}: expected exactly one webhook to readdress`);
    }
    if (receiver.name === 'aegis-heal') {
      receiver.webhook_configs = options.healUrls.map((healUrl) => {
        const webhook = structuredClone(shipped);
        webhook.url = healUrl;
        if (webhook.http_config?.authorization) {
          webhook.http_config.authorization.credentials_file = tokenFile;
        }
        return webhook;
      });
    } else if (receiver.name === 'humans') {
      shipped.url = options.humansUrl;
    } else {
      throw new Error(
        `alertmanager.yml has a receiver this harness does not know: ${receiver.name}`,
      );
    }
  }
  await writeFile(join(dir, 'alertmanager.yml'), stringifyYaml(config));

  const running = await startPrivateDaemon({
    what: `alertmanager on port ${port}`,
    dir,
    command: 'prometheus-alertmanager',
    args: [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      ...(options.cluster
        ? [
            `--cluster.listen-address=${options.cluster.listenAddress}`,
            ...options.cluster.peers.map((peer) => `--cluster.peer=${peer}`),
            // A member waits its position times this before it notifies, so that the first
            // one's notification, gossiped, stops the others (15 s by default).
            '--cluster.peer-timeout=1s',
            '--cluster.gossip-interval=50ms',
            '--cluster.pushpull-interval=5s',
          ]
        : // Alone: without this it gossips on 0.0.0.0:9094 and waits for peers.
          ['--cluster.listen-address=']),
      '--log.level=warn',
    ],
    readyUrl: `${url}/-/ready`,
  });
  return {
    url,
    address,
    alerts: async () => {
      const response = await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`Alertmanager /api/v2/alerts: ${response.status}`);
      return (await response.json()) as AmAlert[];
    },
    stop: running.stop,
  };
}

function scaleRoute(route: Route, scale: number): void {
  for (const key of ROUTE_INTERVALS) {
    const shipped = route[key];
    if (shipped === undefined) continue;
    const seconds = parseDurationSeconds(shipped);
    if (seconds === undefined) throw new Error(`alertmanager.yml: cannot read ${key}: ${shipped}`);
    route[key] = formatDuration(seconds * scale);
  }
  for (const child of route.routes ?? []) scaleRoute(child, scale);
}
