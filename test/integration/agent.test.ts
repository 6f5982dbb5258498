/**
 * The agent as a user runs it: started on an ephemeral loopback port, scraped over
 * HTTP, its exposition linted by the real promtool, its probes pointed at a server
 * that is made to fail, hang and recover.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AegisSentinel, withSentinel } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import {
  parseExposition,
  sample,
  scrapeUntil as scrapeExpositionUntil,
} from '../support/exposition.js';
import { promtoolCheckMetrics } from './support/promtool.js';
import { startControllableServer, type ControllableServer } from './support/controllable-server.js';

let endpoint: ControllableServer;
let other: ControllableServer;
let sentinel: AegisSentinel;
let base: string;

beforeAll(async () => {
  endpoint = await startControllableServer();
  other = await startControllableServer();
  sentinel = new AegisSentinel(
    {
      web: { listen_address: '127.0.0.1:0' },
      monitoring: {
        collection_interval: 0.2,
        probe_timeout: '500ms',
        api_endpoints: [
          { url: endpoint.url, name: 'api' },
          { url: other.url, name: 'other' },
        ],
        docker_host: 'unix:///nonexistent/docker.sock',
      },
    },
    { logger: silentLogger() },
  );
  await sentinel.start();
  const { port } = sentinel.address()!;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await sentinel?.stop();
  await endpoint?.close();
  await other?.close();
});

async function scrape(): Promise<string> {
  return (await fetch(`${base}/metrics`)).text();
}

/** Waits until a scrape satisfies `accept`, then returns that scrape. */
function scrapeUntil(accept: (exposition: string) => boolean): Promise<string> {
  return scrapeExpositionUntil(`${base}/metrics`, accept);
}

describe('the running agent', () => {
  it('serves an exposition that promtool check metrics accepts', async () => {
    const body = await scrape();
    const lint = await promtoolCheckMetrics(body);
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
  });

  it('labels each judged series by its name and its source, with no empty label, and promtool accepts it', async () => {
    // Probe latencies and loopback traffic vary from the first rounds, so both are exported.
    const body = await scrapeUntil(
      (b) =>
        b.includes('aegis_anomalous{series="probe_duration_seconds",target="api"}') &&
        b.includes('aegis_anomalous{series="network_receive_bytes_rate",device="lo"}'),
    );
    const samples = parseExposition(body).filter((s) => s.name.startsWith('aegis_anomal'));
    const keys = (s: { labels: Record<string, string> }) => Object.keys(s.labels).sort();
    const of = (name: string, series: string) =>
      samples.filter((s) => s.name === name && s.labels.series === series);
    for (const s of of('aegis_anomaly_score', 'probe_duration_seconds'))
      expect(keys(s)).toEqual(['detector', 'series', 'target']);
    for (const s of of('aegis_anomalous', 'network_receive_bytes_rate'))
      expect(keys(s)).toEqual(['device', 'series']);
    expect(keys(of('aegis_anomalous', 'host')[0]!)).toEqual(['series']);
    expect(of('aegis_anomaly_score', 'host').map((s) => s.labels.detector)).toContain('composite');
    for (const s of samples)
      for (const value of Object.values(s.labels)) expect(value).not.toBe('');
    const lint = await promtoolCheckMetrics(body);
    expect(lint.output).toBe('');
    expect(lint.code).toBe(0);
  });

  it('exports real figures of this machine', async () => {
    const body = await scrape();
    expect(sample(body, 'aegis_node_memory_total_bytes')).toBeGreaterThan(0);
    expect(body).toMatch(/^aegis_node_cpu_seconds_total\{cpu="0",mode="idle"\} \d/m);
    expect(body).toMatch(
      /^aegis_node_filesystem_size_bytes\{device="[^"]+",mountpoint="\/",fstype="[^"]+"\} \d/m,
    );
    expect(body).toMatch(/^aegis_node_network_receive_bytes_total\{device="lo"\} \d/m);
    expect(sample(body, 'aegis_collector_success{collector="host"}')).toBe(1);
    expect(body).toMatch(
      /^aegis_build_info\{version="0\.1\.0",revision="[^"]+",nodejs_version="v20\.[^"]+"\} 1$/m,
    );
  });

  it('reports an unreachable container engine as down without failing the scrape', async () => {
    const body = await scrape();
    expect(sample(body, 'aegis_container_engine_up')).toBe(0);
    expect(sample(body, 'aegis_collector_success{collector="containers"}')).toBe(1);
  });

  it('follows an endpoint through failure, a hang and recovery, without delaying the other', async () => {
    const up = await scrapeUntil((b) => sample(b, 'aegis_probe_success{target="api"}') === 1);
    expect(sample(up, 'aegis_probe_http_status_code{target="api"}')).toBe(200);

    endpoint.set('fail');
    const failing = await scrapeUntil(
      (b) => sample(b, 'aegis_probe_http_status_code{target="api"}') === 500,
    );
    expect(sample(failing, 'aegis_probe_success{target="api"}')).toBe(0);

    endpoint.set('hang');
    const hanging = await scrapeUntil(
      (b) => sample(b, 'aegis_probe_http_status_code{target="api"}') === 0,
    );
    expect(sample(hanging, 'aegis_probe_success{target="api"}')).toBe(0);
    expect(sample(hanging, 'aegis_probe_duration_seconds{target="api"}')).toBeGreaterThanOrEqual(
      0.5,
    );
    expect(sample(hanging, 'aegis_probe_duration_seconds{target="api"}')).toBeLessThan(1);
    // The healthy endpoint, probed in the same rounds, is answered in milliseconds.
    expect(sample(hanging, 'aegis_probe_success{target="other"}')).toBe(1);
    expect(sample(hanging, 'aegis_probe_duration_seconds{target="other"}')).toBeLessThan(0.2);

    endpoint.set('ok');
    const recovered = await scrapeUntil(
      (b) => sample(b, 'aegis_probe_success{target="api"}') === 1,
    );
    expect(sample(recovered, 'aegis_probe_http_status_code{target="api"}')).toBe(200);
  });

  it('serves status, health and the landing page', async () => {
    const status = (await (await fetch(`${base}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      service_status: 'running',
      anomalies_detected: 0,
      success_rate: null,
    });
    expect(status.uptime_seconds).toBeGreaterThan(0);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/`)).text()).toContain('href="metrics"');
    const missing = await fetch(`${base}/missing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'not_found', message: 'no such path: /missing' });
  });

  it('answers concurrent scrapes with complete, lint-clean expositions', async () => {
    const bodies = await Promise.all(Array.from({ length: 20 }, () => scrape()));
    for (const body of bodies) {
      expect(body).toContain('aegis_node_memory_total_bytes ');
      expect(body).toContain('aegis_probe_success{target="other"} 1');
    }
  });
});

describe('lifecycle', () => {
  it('stops gracefully: the port is closed and stop() is idempotent', async () => {
    const agent = new AegisSentinel(
      {
        web: { listen_address: '127.0.0.1:0' },
        monitoring: { enable_container_monitoring: false },
      },
      { logger: silentLogger() },
    );
    await agent.start();
    const { port } = agent.address()!;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await agent.stop();
    await agent.stop();
    expect(agent.getStatus().service_status).toBe('stopped');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('cleans up with await using', async () => {
    let port = 0;
    {
      await using agent = new AegisSentinel(
        {
          web: { listen_address: '127.0.0.1:0' },
          monitoring: { enable_container_monitoring: false },
        },
        { logger: silentLogger() },
      );
      await agent.start();
      port = agent.address()!.port;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    }
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('cleans up with withSentinel even when the callback throws', async () => {
    let port = 0;
    await expect(
      withSentinel(
        {
          web: { listen_address: '127.0.0.1:0' },
          monitoring: { enable_container_monitoring: false },
        },
        async (agent) => {
          port = agent.address()!.port;
          throw new Error('caller failed');
        },
        { logger: silentLogger() },
      ),
    ).rejects.toThrow('caller failed');
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('refuses a bad configuration before starting anything, naming the path', () => {
    expect(() => new AegisSentinel({ monitoring: { collection_interval: 'often' } })).toThrow(
      'configuration: invalid configuration:\n  monitoring.collection_interval: expected a duration (like 5s, 1m30s or a number of seconds), got "often"',
    );
  });

  it('fails start() clearly when the port is taken, and leaves nothing running', async () => {
    await using first = new AegisSentinel(
      {
        web: { listen_address: '127.0.0.1:0' },
        monitoring: { enable_container_monitoring: false },
      },
      { logger: silentLogger() },
    );
    await first.start();
    const taken = first.address()!.port;
    const second = new AegisSentinel(
      {
        web: { listen_address: `127.0.0.1:${taken}` },
        monitoring: { enable_container_monitoring: false },
      },
      { logger: silentLogger() },
    );
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
    expect(second.getStatus().service_status).toBe('stopped');
  });
});
