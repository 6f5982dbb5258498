/** /proc/diskstats: per-block-device I/O counters. */
import type { DiskDeviceStats } from '../snapshot.js';

/** The kernel counts diskstats sectors in 512-byte units whatever the device's sector size. */
const SECTOR_BYTES = 512;

/**
 * Parses the text of /proc/diskstats. Fields after major, minor and name: reads
 * completed, reads merged, sectors read, ms reading, writes completed, writes merged,
 * sectors written, ms writing, I/Os in progress, ms doing I/O, ...
 */
export function parseDiskstats(text: string, exclude: RegExp): DiskDeviceStats[] {
  const disks: DiskDeviceStats[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 14) continue;
    const device = fields[2] as string;
    if (exclude.test(device)) continue;
    const n = (index: number) => Number(fields[index]);
    disks.push({
      device,
      reads_completed: n(3),
      read_bytes: n(5) * SECTOR_BYTES,
      writes_completed: n(7),
      written_bytes: n(9) * SECTOR_BYTES,
      io_time_seconds: n(12) / 1000,
    });
  }
  return disks;
}
