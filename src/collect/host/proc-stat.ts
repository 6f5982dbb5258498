/** /proc/stat: per-CPU time by mode, and the boot time. */
import { CPU_MODES, type CpuTimes } from '../snapshot.js';

/** Kernel clock ticks per second (USER_HZ); 100 on every mainstream Linux build. */
export const USER_HZ = 100;

export interface ProcStat {
  cpus: CpuTimes[];
  boot_time_seconds: number;
}

/** Parses the text of /proc/stat. Lines for the `cpu` total are skipped, as node_exporter does. */
export function parseProcStat(text: string): ProcStat {
  const cpus: CpuTimes[] = [];
  let bootTime = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu') && line[3] !== ' ') {
      const fields = line.trim().split(/\s+/);
      const cpu = (fields[0] as string).slice(3);
      const seconds = {} as CpuTimes['seconds'];
      CPU_MODES.forEach((mode, index) => {
        seconds[mode] = Number(fields[index + 1] ?? 0) / USER_HZ;
      });
      cpus.push({ cpu, seconds });
    } else if (line.startsWith('btime ')) {
      bootTime = Number(line.slice(6));
    }
  }
  return { cpus, boot_time_seconds: bootTime };
}
