/**
 * bench:live — the real agent at a 1 s interval on this machine, under an ordinary
 * scripted workload (cron-like bursts, a small service under a trickle of requests):
 * false onsets per hour after a warm-up, then faults injected one at a time (CPU hog,
 * memory leak, disk write burst, endpoint latency step, crash-looping container), each
 * with its detection delay. See docs/bench-live.md.
 *
 *   npm run bench:live [-- --warmup 5m --watch 15m]
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, freemem, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCommand } from '../test/support/processes.js';
import { processCpuSeconds } from './support/process-cpu.js';
import { AgentProcess, CLI } from './live/agent-process.js';
import { seriesKey } from './live/agent-log.js';
import { cleanup, cleanupOnSignals, onCleanup, wasInterrupted } from './live/cleanup.js';
import { type CrashLoopContainer, startCrashLoopContainer } from './live/container.js';
import { buildFaults } from './live/faults.js';
import { FAULT_NAMES, type LiveOptions, parseOptions, USAGE } from './live/options.js';
import { analyse, type FaultRun, formatOffset, formatReport } from './live/report.js';
import { Workload } from './live/workload.js';

const MIB = 1024 * 1024;
const startMs = Date.now();
const clock = () => `[${formatOffset(Date.now() - startMs).slice(1)}]`;
const log = (message: string) => console.log(`${clock()} ${message}`);

class Prerequisite extends Error {}

async function main(options: LiveOptions): Promise<void> {
  if (process.platform !== 'linux') throw new Prerequisite('bench:live needs Linux (/proc)');
  if (!existsSync(CLI)) throw new Prerequisite(`${CLI} is missing: run npm run build`);
  const wanted = options.faults.length > 0 ? options.faults : FAULT_NAMES;
  const faultCycle =
    Math.ceil((options.faultSeconds + options.recoverySeconds) / options.cronPeriodSeconds) *
    options.cronPeriodSeconds;
  // About 50 s to readiness; faults start in step with the cron job, one cycle each.
  const estimate =
    60 +
    options.warmupSeconds +
    options.watchSeconds +
    options.cronPeriodSeconds / 2 +
    wanted.length * faultCycle;
  log(
    `bench:live: interval ${options.intervalSeconds} s, warm-up ${options.warmupSeconds} s, watch ${options.watchSeconds} s, ` +
      `${wanted.length} faults of ${options.faultSeconds} s; about ${(estimate / 60).toFixed(0)} min in all`,
  );

  const dir = await mkdtemp(join(tmpdir(), 'aegis-bench-live-'));
  onCleanup(`the bench's temp dir ${dir}`, () => rm(dir, { recursive: true, force: true }));

  let container: CrashLoopContainer | string = 'not requested (--faults)';
  if (wanted.includes('container-crash-loop')) {
    const podman = await runCommand('podman', ['--version']).catch(() => undefined);
    container = podman
      ? await startCrashLoopContainer()
      : 'podman is not installed (apt-get install podman runc busybox-static; see /work/shared/notes/container-engine.md)';
    log(
      typeof container === 'string'
        ? `crash-loop container: SKIPPED: ${container}`
        : `crash-loop container running on ${container.dockerHost}`,
    );
  }

  const workload = await Workload.start({
    dir,
    cronPeriodSeconds: options.cronPeriodSeconds,
    cronCpuSeconds: options.cronCpuSeconds,
    cronWriteBytes: options.cronWriteMib * MIB,
    requestsPerSecond: options.requestsPerSecond,
  });
  log(
    `workload: service ${workload.url} at ${options.requestsPerSecond} req/s; cron job every ${options.cronPeriodSeconds} s`,
  );

  const agentDir = join(dir, 'agent');
  await mkdir(agentDir);
  const agent = await AgentProcess.start({
    dir: agentDir,
    intervalSeconds: options.intervalSeconds,
    serviceUrl: workload.url,
    ...(typeof container === 'string' ? {} : { dockerHost: container.dockerHost }),
    extraArgs: options.agentArgs,
  });
  log(`agent pid ${agent.pid} on ${agent.url}; waiting for the detector to be ready`);
  const readyMs = await agent.waitForDetectorReady(options.readyTimeoutSeconds * 1000);
  log(
    `detector ready after ${((readyMs - agent.startedMs) / 1000).toFixed(1)} s; warm-up ${options.warmupSeconds} s`,
  );

  const hold = async (seconds: number, label: string) => {
    const end = Date.now() + seconds * 1000;
    let nextReport = Date.now() + 60_000;
    while (Date.now() < end) {
      if (!agent.running) throw new Error(`the agent exited during ${label}:\n${agent.output()}`);
      await sleep(Math.min(1000, Math.max(0, end - Date.now())));
      if (Date.now() >= nextReport && Date.now() < end) {
        nextReport += 60_000;
        log(
          `${label}: ${Math.round((end - Date.now()) / 1000)} s left, ${agent.onsets().length} onsets so far`,
        );
      }
    }
  };

  await hold(options.warmupSeconds, 'warm-up');
  const watchStartMs = Date.now();
  const cpuAtWatch = processCpuSeconds(agent.pid);
  const loadAtWatch = loadavg()[0] ?? NaN;
  log(`watching the ordinary workload for ${options.watchSeconds} s`);
  await hold(options.watchSeconds, 'ordinary period');
  const watchEndMs = Date.now();
  const loadAtWatchEnd = loadavg()[0] ?? NaN;
  const agentCpu =
    (processCpuSeconds(agent.pid) - cpuAtWatch) / ((watchEndMs - watchStartMs) / 1000);
  log(
    `ordinary period over: ${agent.onsets().filter((o) => o.atMs >= watchStartMs).length} onsets in it`,
  );

  const faults = buildFaults({
    durationSeconds: options.faultSeconds,
    dir,
    workload,
    container,
    leakMibPerSecond: options.leakMibPerSecond,
    leakBoundMib: Math.min(options.leakBoundMib, Math.floor((freemem() / MIB) * 0.25)),
    diskChunkMib: options.diskChunkMib,
    diskMaxMib: options.diskMaxMib,
    diskMibPerSecond: options.diskMibPerSecond,
    latencyMs: options.latencyMs,
  }).filter((fault) => wanted.includes(fault.name));

  const runs: FaultRun[] = [];
  // Each fault starts this long after a cron job started, clear of its CPU and disk burst.
  const phaseMs = Math.min(
    (options.cronCpuSeconds + 5) * 1000,
    (options.cronPeriodSeconds * 1000) / 2,
  );
  let earliestMs = Date.now();
  for (const fault of faults) {
    const run = {
      name: fault.name,
      expectedDescription: fault.expectedDescription,
      expected: fault.expected,
      dose: '',
    };
    if (fault.skipped !== undefined) {
      log(`${fault.name}: SKIPPED (${fault.skipped})`);
      runs.push({
        ...run,
        skipped: fault.skipped,
        injectedMs: 0,
        activeEndMs: 0,
        recoveryEndMs: 0,
      });
      continue;
    }
    const periodMs = options.cronPeriodSeconds * 1000;
    const waitMs = Math.max(0, earliestMs - Date.now());
    const phaseWait =
      (phaseMs - workload.sinceCronMs(Date.now() + waitMs) + 2 * periodMs) % periodMs;
    await hold((waitMs + phaseWait) / 1000, `before ${fault.name}`);
    const injectedMs = Date.now();
    await fault.inject();
    log(`${fault.name}: injected`);
    await hold(options.faultSeconds, fault.name);
    const dose = await fault.stop();
    const activeEndMs = Date.now();
    const first = agent.onsets().find((o) => o.atMs >= injectedMs);
    log(
      `${fault.name}: stopped (${dose}); first onset since injection: ${first ? `${seriesKey(first)} after ${((first.atMs - injectedMs) / 1000).toFixed(1)} s` : 'none'}`,
    );
    earliestMs = activeEndMs + options.recoverySeconds * 1000;
    runs.push({ ...run, dose, injectedMs, activeEndMs, recoveryEndMs: earliestMs });
  }
  await hold(Math.max(0, (earliestMs - Date.now()) / 1000), 'last recovery pause');
  const endMs = Date.now();

  const analysis = analyse(
    agent.onsets(),
    { agentStartedMs: agent.startedMs, readyMs, watchStartMs, watchEndMs, endMs },
    runs,
  );
  const stats = workload.stats();
  const resolved = agent.events.filter((e) => e.kind === 'resolved').length;
  console.log('');
  console.log(formatReport(analysis));
  console.log('');
  console.log('context:');
  console.log(
    `  machine: ${availableParallelism()} CPUs, 1-minute load average ${loadAtWatch.toFixed(1)} at the start and ${loadAtWatchEnd.toFixed(1)} at the end of the ordinary period; the agent used ${(agentCpu * 100).toFixed(1)} % of one CPU in the ordinary period`,
  );
  console.log(
    `  workload: ${stats.requests} requests (${stats.failedRequests} failed), ${stats.cronRuns} cron jobs`,
  );
  console.log(
    `  agent log: ${agent.onsets().length} onsets, ${resolved} resolutions in all; ` +
      `warnings/errors besides anomalies: ${[...agent.problems].map(([k, v]) => `${k} x${v.count} (first at ${formatOffset(v.firstMs - readyMs)})`).join(', ') || 'none'}`,
  );
  console.log(`  bench took ${((Date.now() - startMs) / 60_000).toFixed(1)} min`);
}

let options: LiveOptions | undefined;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(`bench:live: ${(error as Error).message}\n\n${USAGE}`);
  process.exit(1);
}
if (!options) {
  console.log(USAGE);
  process.exit(0);
}
cleanupOnSignals();
let code = 0;
try {
  await main(options);
} catch (error) {
  // After SIGINT the cleanup is stopping the agent under the bench's feet: that is no failure.
  if (wasInterrupted()) await new Promise(() => undefined);
  const prerequisite = error instanceof Prerequisite;
  console.error(
    `bench:live: ${prerequisite ? 'missing prerequisite: ' : 'failed: '}${(error as Error).message}`,
  );
  code = 1;
}
await cleanup();
process.exit(code);
