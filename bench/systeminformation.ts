/**
 * bench:si — why the host collector reads /proc itself. For each systeminformation
 * call that could feed the host collector, and for our /proc reader, the wall time of
 * a call and the longest event-loop stall seen while it ran (a 1 ms timer's worst
 * overshoot): a call that shells out synchronously stalls the loop for its whole run.
 *
 *   npm run bench:si
 */
import si from 'systeminformation';
import { HostCollector } from '../src/collect/host/host-collector.js';
import { validateConfig } from '../src/config/validate.js';
import { formatMs, median } from './support/stats.js';

const RUNS = 20;

const WARMUP = 3;

async function measure(
  call: () => Promise<unknown>,
): Promise<{ wall: number; stall: number; worstStall: number }> {
  for (let i = 0; i < WARMUP; i += 1) await call();
  const walls: number[] = [];
  const stalls: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    let stall = 0;
    let last = performance.now();
    const sampler = setInterval(() => {
      const now = performance.now();
      stall = Math.max(stall, now - last - 1);
      last = now;
    }, 1);
    const started = performance.now();
    await call();
    walls.push((performance.now() - started) / 1000);
    // One more tick so a stall at the very end of the call is seen.
    await new Promise((resolve) => setTimeout(resolve, 2));
    clearInterval(sampler);
    stalls.push(stall / 1000);
  }
  return { wall: median(walls), stall: median(stalls), worstStall: Math.max(...stalls) };
}

const host = new HostCollector({ config: validateConfig({}).monitoring });
const candidates: Array<[string, () => Promise<unknown>]> = [
  ['aegis HostCollector.collect (all of it)', () => host.collect()],
  ['si.currentLoad', () => si.currentLoad()],
  ['si.mem', () => si.mem()],
  ['si.fsSize', () => si.fsSize()],
  ['si.networkStats', () => si.networkStats('*')],
  ['si.disksIO', () => si.disksIO()],
  ['si.fsStats', () => si.fsStats()],
  ['si.time (uptime, boot)', async () => si.time()],
];

console.log(
  `bench:si — ${RUNS} calls each after ${WARMUP} warm-up calls: median wall time, median and worst event-loop stall per call\n`,
);
console.log(
  `${'call'.padEnd(42)} ${'wall'.padStart(10)} ${'stall'.padStart(10)} ${'worst'.padStart(10)}`,
);
const results: Array<[string, { wall: number; stall: number; worstStall: number }]> = [];
for (const [name, call] of candidates) {
  const figures = await measure(call);
  results.push([name, figures]);
  console.log(
    `${name.padEnd(42)} ${formatMs(figures.wall).padStart(10)} ${formatMs(figures.stall).padStart(10)} ${formatMs(figures.worstStall).padStart(10)}`,
  );
}
const ours = results[0]![1];
const theirs = results.slice(1).reduce((sum, [, f]) => sum + f.wall, 0);
console.log(
  `\nsum of the systeminformation calls: ${formatMs(theirs)} per round, ${(theirs / ours.wall).toFixed(1)}x the /proc reader's ${formatMs(ours.wall)}`,
);
