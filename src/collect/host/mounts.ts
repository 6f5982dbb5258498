/** Mounted filesystems (/proc/1/mounts) and their usage (statfs). */
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
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

/**
 * A mount point as reported: with the rootfs prefix removed (`/host/var` under rootfs
 * `/host` is `/var`, `/host` itself is `/`), as node_exporter strips `--path.rootfs`.
 * Paths outside the prefix (the host's own, read through --pid=host) are kept as they are.
 */
export function stripRootfs(mountpoint: string, rootfs: string): string {
  const prefix = rootfs.replace(/\/+$/, '');
  if (prefix === '') return mountpoint;
  if (mountpoint === prefix) return '/';
  return mountpoint.startsWith(`${prefix}/`) ? mountpoint.slice(prefix.length) : mountpoint;
}

/**
 * Parses a mounts file (/proc/PID/mounts), dropping excluded types and mount points and
 * repeated mount points. `reported` maps a mount point to the path reported (and matched
 * against the exclusions): the rootfs prefix stripped.
 */
export function parseMounts(
  text: string,
  excludeFstypes: RegExp,
  excludeMountpoints: RegExp,
  reported: (mountpoint: string) => string = (mountpoint) => mountpoint,
): MountEntry[] {
  const seen = new Set<string>();
  const mounts: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mountpoint, fstype] = line.split(' ');
    if (!device || !mountpoint || !fstype) continue;
    const entry = {
      device: unescapeMountField(device),
      mountpoint: reported(unescapeMountField(mountpoint)),
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
 * statfs for each mount (its mount point under `rootfs`), concurrently. A mount whose
 * statfs fails or does not answer within `timeoutMs` (a hung network filesystem) is left
 * out of this round rather than stalling the collector, as node_exporter's mount timeout
 * does.
 */
export async function readFilesystemStats(
  mounts: readonly MountEntry[],
  timeoutMs: number,
  rootfs = '/',
): Promise<FilesystemStats[]> {
  const results = await Promise.all(
    mounts.map(async (mount): Promise<FilesystemStats | undefined> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(resolve, timeoutMs, undefined);
      });
      try {
        const stats = await Promise.race([statfs(join(rootfs, mount.mountpoint)), timeout]);
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
