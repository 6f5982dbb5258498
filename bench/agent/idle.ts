/**
 * Idle cost: CPU share of a core and resident memory of running exporters over the same
 * windows, each scraped every 15 s as Prometheus would (node_exporter's only work; the
 * agent also collects on its own interval).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { threadCpuSeconds } from '../support/process-cpu.js';
import { residentMemory, type ResidentMemory } from '../support/process-memory.js';
import type { Exporter } from './exporters.js';

const SCRAPE_EVERY_SECONDS = 15;

export interface IdleFigures {
  /** Share of one core, per window. */
  cpu: number[];
  /** At the end of the last window. */
  memory: ResidentMemory;
}

export async function measureIdle(
  exporters: readonly Exporter[],
  windows: number,
  windowSeconds: number,
): Promise<IdleFigures[]> {
  const figures: IdleFigures[] = exporters.map(() => ({
    cpu: [],
    memory: { rssBytes: 0, peakBytes: 0, anonBytes: 0, fileBytes: 0 },
  }));
  const scrapeAll = () =>
    Promise.all(exporters.map(async ({ base }) => (await fetch(`${base}/metrics`)).text()));
  for (let window = 0; window < windows; window += 1) {
    const before = exporters.map(({ child }) => threadCpuSeconds(child.pid));
    const started = performance.now();
    for (let elapsed = 0; elapsed < windowSeconds; elapsed += SCRAPE_EVERY_SECONDS) {
      await scrapeAll();
      await sleep(Math.min(SCRAPE_EVERY_SECONDS, windowSeconds - elapsed) * 1000);
    }
    const seconds = (performance.now() - started) / 1000;
    exporters.forEach(({ child }, index) => {
      figures[index]!.cpu.push((threadCpuSeconds(child.pid) - before[index]!) / seconds);
    });
  }
  exporters.forEach(({ child }, index) => {
    figures[index]!.memory = residentMemory(child.pid);
  });
  return figures;
}
