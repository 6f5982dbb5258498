/** CPU time of processes, for the benches. */
import { readdirSync, readFileSync } from 'node:fs';

const USER_HZ = 100;

/** CPU seconds a process has used, from /proc/PID/stat (utime + stime, in clock ticks). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

/**
 * CPU seconds the live threads of a process have run, from each thread's schedstat
 * (nanoseconds on a CPU): precise where clock ticks are 10 ms, for idle figures of a
 * few ticks a window. Time of threads that have ended is not in it, so use it over
 * windows in which the process keeps its threads (an idle exporter does).
 */
export function threadCpuSeconds(pid: number): number {
  let nanoseconds = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(
        readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0],
      );
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return nanoseconds / 1e9;
}
