/** Scrape cost: sequential scrapes of /metrics over loopback, their latency and the server's CPU per scrape. */
import { processCpuSeconds } from '../support/process-cpu.js';
import { median, quantile } from '../support/stats.js';
import type { Exporter } from './exporters.js';

const WARMUP = 10;

export interface ScrapeFigures {
  series: number;
  median: number;
  p99: number;
  cpuPerScrape: number;
}

export async function measureScrapes(exporter: Exporter, scrapes: number): Promise<ScrapeFigures> {
  const url = `${exporter.base}/metrics`;
  let body = '';
  for (let i = 0; i < WARMUP; i += 1) body = await (await fetch(url)).text();
  const latencies: number[] = [];
  const cpuBefore = processCpuSeconds(exporter.child.pid);
  for (let i = 0; i < scrapes; i += 1) {
    const started = performance.now();
    body = await (await fetch(url)).text();
    latencies.push((performance.now() - started) / 1000);
  }
  const cpu = processCpuSeconds(exporter.child.pid) - cpuBefore;
  return {
    series: body.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length,
    median: median(latencies),
    p99: quantile(latencies, 0.99),
    cpuPerScrape: cpu / scrapes,
  };
}
