/**
 * bench:scrape — the agent and node_exporter side by side on loopback: series count,
 * median and p99 scrape latency, CPU seconds per scrape, and the ratios; then the
 * agent's event-loop lag p99 and its idle CPU use at a 1 s collection interval.
 *
 *   npm run bench:scrape [-- --scrapes 300 --idle-seconds 20]
 */
import { join } from 'node:path';
import { EVENT_LOOP_MONITORING_PRECISION_MS } from '../src/metrics/process-metrics.js';
import { processCpuSeconds } from './support/process-cpu.js';
import { freeLoopbackPorts } from '../test/support/ports.js';
import { sample } from '../test/support/exposition.js';
import { startChild, type Child } from './support/child.js';
import { formatMs, median, quantile } from './support/stats.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const SCRAPES = option('scrapes', 300);
const WARMUP = 20;
const IDLE_SECONDS = option('idle-seconds', 20);
// V8's memory reducer runs full collections for a while after start-up; idle CPU is
// measured in the steady state after it, as an agent spends its life.
const SETTLE_SECONDS = option('settle-seconds', 15);

interface ScrapeFigures {
  series: number;
  median: number;
  p99: number;
  cpuPerScrape: number;
}

async function measureScrapes(child: Child, url: string): Promise<ScrapeFigures> {
  let body = '';
  for (let i = 0; i < WARMUP; i += 1) body = await (await fetch(url)).text();
  const latencies: number[] = [];
  const cpuBefore = processCpuSeconds(child.pid);
  for (let i = 0; i < SCRAPES; i += 1) {
    const started = performance.now();
    body = await (await fetch(url)).text();
    latencies.push((performance.now() - started) / 1000);
  }
  const cpuAfter = processCpuSeconds(child.pid);
  return {
    series: body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length,
    median: median(latencies),
    p99: quantile(latencies, 0.99),
    cpuPerScrape: (cpuAfter - cpuBefore) / SCRAPES,
  };
}

async function main(): Promise<void> {
  const [agentPort, nodePort] = (await freeLoopbackPorts(2)) as [number, number];
  // The agent as users run it: the build of `npm run build`.
  const cli = join(import.meta.dirname, '../../dist/cli.js');
  const agent = await startChild(
    'node',
    [
      cli,
      `--web.listen-address=127.0.0.1:${agentPort}`,
      '--monitoring.collection-interval=1s',
      '--log.level=warn',
    ],
    `http://127.0.0.1:${agentPort}/healthz`,
  );
  const nodeExporter = await startChild(
    'prometheus-node-exporter',
    [`--web.listen-address=127.0.0.1:${nodePort}`],
    `http://127.0.0.1:${nodePort}/metrics`,
  );
  try {
    // Idle first: nothing but the agent's own 1 s collection loop.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));
    const idleBefore = processCpuSeconds(agent.pid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    const idleCpu = (processCpuSeconds(agent.pid) - idleBefore) / IDLE_SECONDS;

    const aegis = await measureScrapes(agent, `http://127.0.0.1:${agentPort}/metrics`);
    const node = await measureScrapes(nodeExporter, `http://127.0.0.1:${nodePort}/metrics`);
    const agentMetrics = await (await fetch(`http://127.0.0.1:${agentPort}/metrics`)).text();
    // The histogram records the sampling timer's whole period; the lag is the excess.
    const lagP99 =
      (sample(agentMetrics, 'nodejs_eventloop_lag_p99_seconds') ?? Number.NaN) -
      EVENT_LOOP_MONITORING_PRECISION_MS / 1000;

    const row = (name: string, f: ScrapeFigures) =>
      `${name.padEnd(14)} ${String(f.series).padStart(7)} ${formatMs(f.median).padStart(10)} ${formatMs(f.p99).padStart(10)} ${formatMs(f.cpuPerScrape).padStart(12)}`;
    console.log(
      `bench:scrape — ${SCRAPES} sequential scrapes each over loopback, after ${WARMUP} warm-up scrapes\n`,
    );
    console.log(
      `${'exporter'.padEnd(14)} ${'series'.padStart(7)} ${'median'.padStart(10)} ${'p99'.padStart(10)} ${'CPU/scrape'.padStart(12)}`,
    );
    console.log(row('aegis', aegis));
    console.log(row('node_exporter', node));
    console.log(
      `${'ratio a/n'.padEnd(14)} ${''.padStart(7)} ${(aegis.median / node.median).toFixed(2).padStart(10)} ${(aegis.p99 / node.p99).toFixed(2).padStart(10)} ${(aegis.cpuPerScrape / node.cpuPerScrape).toFixed(2).padStart(12)}`,
    );
    console.log(
      `\nagent at a 1 s collection interval, ${IDLE_SECONDS} s idle after ${SETTLE_SECONDS} s settling:`,
    );
    console.log(`  idle CPU            ${(idleCpu * 100).toFixed(2)} % of a core   (target < 1 %)`);
    console.log(
      `  event-loop lag p99  ${formatMs(lagP99)}   (target < 10 ms; nodejs_eventloop_lag_p99_seconds less its ${EVENT_LOOP_MONITORING_PRECISION_MS} ms sampling period, over idle and scrape phases)`,
    );
    console.log(
      `\ntargets: median ratio <= 1.0: ${aegis.median / node.median <= 1 ? 'met' : 'MISSED'}; CPU/scrape <= node_exporter's: ${aegis.cpuPerScrape <= node.cpuPerScrape ? 'met' : 'MISSED'}`,
    );
  } finally {
    await agent.stop();
    await nodeExporter.stop();
  }
}

await main();
