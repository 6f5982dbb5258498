import { describe, expect, it } from 'vitest';
import {
  parseMounts,
  readFilesystemStats,
  stripRootfs,
} from '../../../../src/collect/host/mounts.js';
import { validateConfig } from '../../../../src/config/validate.js';

const { monitoring } = validateConfig({});
const fstypes = new RegExp(monitoring.filesystem_fstypes_exclude);
const mountpoints = new RegExp(monitoring.filesystem_mount_points_exclude);

describe('parseMounts', () => {
  it('keeps real filesystems and drops pseudo ones, excluded paths and repeats', () => {
    const text = [
      'proc /proc proc rw 0 0',
      'sysfs /sys sysfs rw 0 0',
      '/dev/vda / ext4 rw 0 0',
      'tmpfs /dev/shm tmpfs rw 0 0',
      'cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0',
      '/dev/vdb /srv/my\\040data xfs rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      '/dev/vda / ext4 rw 0 0',
      'overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0',
    ].join('\n');
    expect(parseMounts(text, fstypes, mountpoints)).toEqual([
      { device: '/dev/vda', mountpoint: '/', fstype: 'ext4' },
      { device: '/dev/vdb', mountpoint: '/srv/my data', fstype: 'xfs' },
      { device: 'tmpfs', mountpoint: '/run', fstype: 'tmpfs' },
    ]);
  });
});

describe('readFilesystemStats', () => {
  it('reports size >= free >= 0 for the root filesystem and leaves out what cannot be read', async () => {
    const stats = await readFilesystemStats(
      [
        { device: 'rootfs', mountpoint: '/', fstype: 'ext4' },
        { device: 'none', mountpoint: '/does/not/exist', fstype: 'ext4' },
      ],
      1000,
    );
    expect(stats).toHaveLength(1);
    const [root] = stats;
    expect(root?.mountpoint).toBe('/');
    expect(root?.size_bytes).toBeGreaterThan(0);
    expect(root?.size_bytes).toBeGreaterThanOrEqual(root?.free_bytes ?? Infinity);
    expect(root?.free_bytes).toBeGreaterThanOrEqual(root?.avail_bytes ?? Infinity);
  });
});

describe('stripRootfs', () => {
  it('removes the rootfs prefix as node_exporter does, only at a path boundary', () => {
    expect(stripRootfs('/host', '/host')).toBe('/');
    expect(stripRootfs('/host/var/log', '/host')).toBe('/var/log');
    expect(stripRootfs('/host/var', '/host/')).toBe('/var');
    expect(stripRootfs('/hostile', '/host')).toBe('/hostile');
    expect(stripRootfs('/var', '/host')).toBe('/var');
    expect(stripRootfs('/var', '/')).toBe('/var');
  });
});
