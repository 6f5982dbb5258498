/** Mounted filesystems (/proc/self/mounts) and their usage (statfs). */
import { statfs } from 'node:fs/promises';
import type { FilesystemStats } from '../snapshot.js';

export interface MountEntry {
  device: string;
  mountpoint: string;
  fstype: string;
}

/** The kernel escapes space, tab, newline and backslash in mount paths as octal (`\040`). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

/** Parses /proc/self/mounts, dropping excluded types and mount points and repeated mount points. */
export function parseMounts(
  text: string,
  excludeFstypes: RegExp,
  excludeMountpoints: RegExp,
): MountEntry[] {
  const seen = new Set<string>();
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mountpoint, fstype] = line.split(' ');
    if (!device || !mountpoint || !fstype) continue;
    const entry = {
      device: unescapeMountField(device),
      mountpoint: unescapeMountField(mountpoint),
      fstype,
    };
    if (excludeFstypes.test(entry.fstype) || excludeMountpoints.test(entry.mountpoint)) continue;
    if (seen.has(entry.mountpoint)) continue;
    seen.add(entry.mountpoint);
    mounts.push(entry);
  }
  return mounts;
}

/**
 * statfs for each mount, concurrently. A mount whose statfs fails or does not answer
 * within `timeoutMs` (a hung network filesystem) is left out of this round rather
 * than stalling the collector, as node_exporter's mount timeout does.
 */
export async function readFilesystemStats(
  mounts: readonly MountEntry[],
  timeoutMs: number,
): Promise<FilesystemStats[]> {
  const results = await Promise.all(
    mounts.map(async (mount): Promise<FilesystemStats | undefined> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(resolve, timeoutMs, undefined);
      });
      try {
        const stats = await Promise.race([statfs(mount.mountpoint), timeout]);
        if (!stats) return undefined;
        return {
          ...mount,
          size_bytes: stats.blocks * stats.bsize,
          free_bytes: stats.bfree * stats.bsize,
          avail_bytes: stats.bavail * stats.bsize,
        };
      } catch {
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return results.filter((entry): entry is FilesystemStats => entry !== undefined);
}
