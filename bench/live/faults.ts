/**
 * The injected faults, one concern each: inject() starts it, stop() ends it and says
 * what was actually done (the dose), so a fault that did not happen is visible.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { processCpuSeconds } from '../support/process-cpu.js';
import { SERVICE_TARGET } from './agent-process.js';
import { type Load, startLoad } from './children.js';
import { CONTAINER_NAME, type CrashLoopContainer } from './container.js';
import type { Workload } from './workload.js';

export interface Fault {
  name: string;
  expectedDescription: string;
  expected: RegExp;
  /** Why it cannot be injected on this machine. */
  skipped?: string;
  inject(): Promise<void>;
  /** Ends the fault; resolves to what was done. */
  stop(): Promise<string>;
}

export interface FaultSettings {
  /** How long each fault lasts; loads also end by themselves a little after it. */
  durationSeconds: number;
  /** The directory for the disk burst's file. */
  dir: string;
  workload: Workload;
  /** The crash-loop container, or why there is none. */
  container: CrashLoopContainer | string;
  leakMibPerSecond: number;
  leakBoundMib: number;
  diskChunkMib: number;
  diskMaxMib: number;
  diskMibPerSecond: number;
  latencyMs: number;
}

const MIB = 1024 * 1024;

/** Reads one `Key: value` field of /proc/PID/status or /proc/PID/io. */
async function procField(path: string, key: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const match = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

export function buildFaults(settings: FaultSettings): Fault[] {
  // Loads outlive their window by this much at most if the bench were killed outright.
  const selfStop = settings.durationSeconds + 15;
  return [
    cpuHog(settings, selfStop),
    memoryLeak(settings, selfStop),
    diskBurst(settings, selfStop),
    latencyStep(settings),
    crashLoop(settings),
  ];
}

function cpuHog(settings: FaultSettings, selfStop: number): Fault {
  const cpus = availableParallelism();
  let loads: Load[] = [];
  let startedMs = 0;
  return {
    name: 'cpu-hog',
    expectedDescription: 'cpu_utilisation (or the host composite blaming it)',
    expected: /^(cpu|load)/,
    inject: async () => {
      startedMs = Date.now();
      loads = Array.from({ length: cpus }, () => startLoad('busy', [selfStop]));
    },
    stop: async () => {
      let cpuSeconds = 0;
      for (const load of loads) {
        try {
          cpuSeconds += processCpuSeconds(load.pid);
        } catch {
          // Already gone.
        }
      }
      await Promise.all(loads.map((load) => load.stop()));
      const wall = (Date.now() - startedMs) / 1000;
      return `${cpus} busy loops used ${cpuSeconds.toFixed(1)} CPU-s in ${wall.toFixed(1)} s (${((cpuSeconds / wall / cpus) * 100).toFixed(0)} % of ${cpus} CPUs)`;
    },
  };
}

function memoryLeak(settings: FaultSettings, selfStop: number): Fault {
  let load: Load | undefined;
  return {
    name: 'memory-leak',
    expectedDescription: 'memory_used_ratio',
    expected: /^memory/,
    inject: async () => {
      load = startLoad('leak', [settings.leakMibPerSecond, settings.leakBoundMib, selfStop]);
    },
    stop: async () => {
      const rssKib = load ? await procField(`/proc/${load.pid}/status`, 'VmRSS') : Number.NaN;
      await load?.stop();
      return `leaking ${settings.leakMibPerSecond} MiB/s up to ${settings.leakBoundMib} MiB: resident ${(rssKib / 1024).toFixed(0)} MiB at the end`;
    },
  };
}

function diskBurst(settings: FaultSettings, selfStop: number): Fault {
  let load: Load | undefined;
  return {
    name: 'disk-write-burst',
    expectedDescription:
      'disk_written_bytes_rate of the temp dir’s device (or its filesystem_used_ratio)',
    expected: /^(disk_writ|filesystem)/,
    inject: async () => {
      load = startLoad('disk', [
        join(settings.dir, 'burst.dat'),
        settings.diskChunkMib,
        settings.diskMaxMib,
        settings.diskMibPerSecond,
        selfStop,
      ]);
    },
    stop: async () => {
      const written = load ? await procField(`/proc/${load.pid}/io`, 'write_bytes') : Number.NaN;
      await load?.stop();
      const limit =
        settings.diskMibPerSecond > 0 ? `, at most ${settings.diskMibPerSecond} MiB/s` : '';
      return `${(written / MIB).toFixed(0)} MiB written and fsynced in ${settings.diskChunkMib} MiB chunks${limit}`;
    },
  };
}

function latencyStep(settings: FaultSettings): Fault {
  return {
    name: 'endpoint-latency',
    expectedDescription: `probe_duration_seconds of ${SERVICE_TARGET}`,
    expected: new RegExp(`^probe_duration.*${SERVICE_TARGET}`),
    inject: async () => settings.workload.setLatency(settings.latencyMs),
    stop: async () => {
      settings.workload.setLatency(0);
      return `the service answered after ${settings.latencyMs} ms instead of at once`;
    },
  };
}

function crashLoop(settings: FaultSettings): Fault {
  const { container } = settings;
  const base = {
    name: 'container-crash-loop',
    expectedDescription: `container_* series of ${CONTAINER_NAME}`,
    expected: new RegExp(`^container_.*${CONTAINER_NAME}`),
  };
  if (typeof container === 'string')
    return { ...base, skipped: container, inject: async () => undefined, stop: async () => '' };
  let before = 0;
  return {
    ...base,
    inject: async () => {
      before = await container.restartCount().catch(() => Number.NaN);
      await container.crash();
    },
    stop: async () => {
      await container.heal();
      const after = await container.restartCount().catch(() => Number.NaN);
      return `exits 2 s after each start, restart policy always: ${after - before} restarts`;
    },
  };
}
