/** /proc/meminfo: the memory figures node_exporter's meminfo collector reports. */
import type { MemoryStats } from '../snapshot.js';

const FIELDS: Record<string, keyof MemoryStats> = {
  MemTotal: 'total_bytes',
  MemAvailable: 'available_bytes',
  MemFree: 'free_bytes',
  Buffers: 'buffers_bytes',
  Cached: 'cached_bytes',
  SwapTotal: 'swap_total_bytes',
  SwapFree: 'swap_free_bytes',
};

/** Parses the text of /proc/meminfo; values are given in kB (KiB) and returned in bytes. */
export function parseMeminfo(text: string): MemoryStats {
  const stats: MemoryStats = {
    total_bytes: 0,
    available_bytes: 0,
    free_bytes: 0,
    buffers_bytes: 0,
    cached_bytes: 0,
    swap_total_bytes: 0,
    swap_free_bytes: 0,
  };
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (!match) continue;
    const field = FIELDS[match[1] as string];
    if (field) stats[field] = Number(match[2]) * 1024;
  }
  return stats;
}
