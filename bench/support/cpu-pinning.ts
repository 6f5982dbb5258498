/**
 * Pinning a benchmark's load generator and its servers to different CPUs (taskset), as
 * wrk users do: unpinned on two cores, where the scheduler put the server's GC threads
 * moved the heal/bare ratio between 51 % and 78 % from run to run of the same code;
 * pinned it stays within a few points.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CpuPinning {
  /** Prefix for a server's command line: [] when not pinning. */
  serverPrefix: string[];
  /** What was done, for the report. */
  description: string;
}

/** Pins this process to CPU 0 and returns how to start servers on the last CPU. */
export function pinLoadAndServers(): CpuPinning {
  const cpus = availableParallelism();
  if (cpus < 2) return { serverPrefix: [], description: 'not pinned (one CPU)' };
  try {
    execFileSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return { serverPrefix: [], description: 'not pinned (no taskset)' };
  }
  const serverCpu = String(cpus - 1);
  return {
    serverPrefix: ['taskset', '-c', serverCpu],
    description: `load generator on CPU 0, servers on CPU ${serverCpu}`,
  };
}
