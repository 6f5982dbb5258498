/**
 * Probe timings side by side: the agent probing N loopback endpoints of the fleet at a
 * 1 s interval, and blackbox_exporter probing the same N at the same rate, driven as
 * Prometheus drives it (GET /probe per target, spread over the second, keep-alive),
 * both at once so that both meet the same machine. The agent's figures are read from
 * its /metrics every second; blackbox_exporter's from each /probe answer.
 */
import { Agent, get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeriodicTask } from '../../src/collect/periodic-task.js';
import { parseExposition } from '../../test/support/exposition.js';
import { processCpuSeconds } from '../support/process-cpu.js';
import { median, quantile } from '../support/stats.js';
import type { Exporter } from './exporters.js';

export interface ProbeWindow {
  agent: ProbeFigures;
  blackbox: ProbeFigures;
}

export interface ProbeFigures {
  p50: number;
  p99: number;
  /** Probes whose result said failure. */
  failures: number;
  probes: number;
  cpuPerProbe: number;
}

function summarise(
  durations: number[],
  failures: number,
  probes: number,
  cpu: number,
): ProbeFigures {
  return {
    p50: median(durations),
    p99: quantile(durations, 0.99),
    failures,
    probes,
    cpuPerProbe: cpu / probes,
  };
}

/** One window: the agent's samples of every target each second, and blackbox_exporter driven at the same rate. */
export async function probeWindow(
  agent: Exporter,
  blackbox: Exporter,
  urls: readonly string[],
  seconds: number,
): Promise<ProbeWindow> {
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });
  const blackboxDurations: number[] = [];
  let blackboxFailures = 0;
  let blackboxProbes = 0;
  const inFlight = new Set<Promise<void>>();
  const probeOnce = (url: string) => {
    const done = askBlackbox(keepAlive, blackbox.base, url).then(({ duration, success }) => {
      blackboxDurations.push(duration);
      blackboxProbes += 1;
      if (!success) blackboxFailures += 1;
    });
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };
  const tasks = urls.map(
    (url, index) => new PeriodicTask(() => probeOnce(url), 1000, (index / urls.length) * 1000),
  );

  const agentDurations: number[] = [];
  let agentFailures = 0;
  const cpuBefore = [agent, blackbox].map(({ child }) => processCpuSeconds(child.pid));
  const started = performance.now();
  for (const task of tasks) task.start();
  for (let second = 0; second < seconds; second += 1) {
    await sleep(1000);
    const samples = parseExposition(await (await fetch(`${agent.base}/metrics`)).text());
    for (const { name, value } of samples) {
      if (name === 'aegis_probe_duration_seconds') agentDurations.push(value);
      if (name === 'aegis_probe_success' && value !== 1) agentFailures += 1;
    }
  }
  for (const task of tasks) task.stop();
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  const [agentCpu, blackboxCpu] = [agent, blackbox].map(
    ({ child }, index) => processCpuSeconds(child.pid) - cpuBefore[index]!,
  );
  keepAlive.destroy();
  // The agent probes every target once a second whether read or not.
  const agentProbes = Math.round(urls.length * elapsed);
  return {
    agent: summarise(agentDurations, agentFailures, agentProbes, agentCpu!),
    blackbox: summarise(blackboxDurations, blackboxFailures, blackboxProbes, blackboxCpu!),
  };
}

function askBlackbox(
  keepAlive: Agent,
  base: string,
  target: string,
): Promise<{ duration: number; success: boolean }> {
  const url = `${base}/probe?module=http_2xx&target=${encodeURIComponent(target)}`;
  return new Promise((resolve, reject) => {
    get(url, { agent: keepAlive }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => {
        const samples = parseExposition(body);
        const value = (name: string) => samples.find((s) => s.name === name)?.value ?? Number.NaN;
        resolve({
          duration: value('probe_duration_seconds'),
          success: value('probe_success') === 1,
        });
      });
    }).once('error', reject);
  });
}
