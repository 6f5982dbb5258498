/**
 * A process's resident memory from /proc/PID/status: in all, and split into anonymous
 * pages (its heap and stacks, its own) and file-backed ones (mostly its executable's
 * text, shared with every process that runs the same binary).
 */
import { readFileSync } from 'node:fs';

export interface ResidentMemory {
  rssBytes: number;
  /** The highest RSS the process has had (VmHWM). */
  peakBytes: number;
  anonBytes: number;
  fileBytes: number;
}

export function residentMemory(pid: number): ResidentMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : Number.NaN;
  };
  return {
    rssBytes: kib('VmRSS'),
    peakBytes: kib('VmHWM'),
    anonBytes: kib('RssAnon'),
    fileBytes: kib('RssFile'),
  };
}
