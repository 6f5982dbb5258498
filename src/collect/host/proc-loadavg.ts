/** /proc/loadavg: the 1, 5 and 15 minute load averages. */
import type { LoadAverages } from '../snapshot.js';

export function parseLoadavg(text: string): LoadAverages {
  const [load1, load5, load15] = text.trim().split(/\s+/).map(Number);
  return { load1: load1 ?? 0, load5: load5 ?? 0, load15: load15 ?? 0 };
}
