import { mkdir, mkdtemp, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HostCollector } from '../../../../src/collect/host/host-collector.js';
import { validateConfig } from '../../../../src/config/validate.js';

let procRoot: string;

beforeAll(async () => {
  procRoot = await mkdtemp(join(tmpdir(), 'aegis-proc-'));
  await mkdir(join(procRoot, 'net'));
  await mkdir(join(procRoot, 'self'));
  await writeFile(
    join(procRoot, 'stat'),
    'cpu  1 0 0 0 0 0 0 0\ncpu0 100 0 0 900 0 0 0 0 0 0\nbtime 1700000000\n',
  );
  await writeFile(join(procRoot, 'meminfo'), 'MemTotal: 1000 kB\nMemAvailable: 500 kB\n');
  await writeFile(join(procRoot, 'loadavg'), '1.00 0.50 0.25 1/100 1\n');
  await writeFile(join(procRoot, 'net/dev'), 'h1\nh2\n  eth0: 1 2 0 0 0 0 0 0 3 4 0 0 0 0 0 0\n');
  await writeFile(join(procRoot, 'diskstats'), ' 8 0 sda 1 0 2 0 3 0 4 0 0 5000 0 0 0 0\n');
  await writeFile(
    join(procRoot, 'self/mounts'),
    '/dev/sda / ext4 rw 0 0\nproc /proc proc rw 0 0\n',
  );
});

function collector(overrides: Record<string, unknown> = {}) {
  const { monitoring } = validateConfig({ monitoring: overrides });
  return new HostCollector({ config: monitoring, paths: { procfs: procRoot } });
}

describe('HostCollector', () => {
  it('reads every source under the proc root', async () => {
    const host = await collector().collect();
    expect(host.cpus).toEqual([
      {
        cpu: '0',
        seconds: { user: 1, nice: 0, system: 0, idle: 9, iowait: 0, irq: 0, softirq: 0, steal: 0 },
      },
    ]);
    expect(host.boot_time_seconds).toBe(1700000000);
    expect(host.memory.total_bytes).toBe(1_024_000);
    expect(host.load).toEqual({ load1: 1, load5: 0.5, load15: 0.25 });
    expect(host.network?.map((n) => [n.device, n.receive_bytes, n.transmit_bytes])).toEqual([
      ['eth0', 1, 3],
    ]);
    expect(host.disks).toEqual([
      {
        device: 'sda',
        reads_completed: 1,
        read_bytes: 1024,
        writes_completed: 3,
        written_bytes: 2048,
        io_time_seconds: 5,
      },
    ]);
    expect(host.filesystems?.map((f) => f.mountpoint)).toEqual(['/']);
  });

  it('leaves out network and disk figures when those switches are off', async () => {
    const host = await collector({
      enable_network_monitoring: false,
      enable_disk_monitoring: false,
    }).collect();
    expect(host.network).toBeUndefined();
    expect(host.disks).toBeUndefined();
    expect(host.filesystems).toBeUndefined();
  });

  it('fails when a required file is missing, so the loop reports the collector as failed', async () => {
    const broken = new HostCollector({
      config: validateConfig({}).monitoring,
      paths: { procfs: join(procRoot, 'nowhere') },
    });
    await expect(broken.collect()).rejects.toThrow(/ENOENT/);
  });

  it('takes the mounts of PID 1 over its own, as node_exporter does', async () => {
    const procfs = await mkdtemp(join(tmpdir(), 'aegis-proc-pid1-'));
    for (const dir of ['net', 'self', '1']) await mkdir(join(procfs, dir));
    for (const file of ['stat', 'meminfo', 'loadavg', 'net/dev', 'diskstats'])
      await writeFile(join(procfs, file), '');
    await writeFile(join(procfs, 'self/mounts'), '/dev/own /tmp ext4 rw 0 0\n');
    await writeFile(join(procfs, '1/mounts'), '/dev/host / ext4 rw 0 0\n');
    const host = await new HostCollector({
      config: validateConfig({}).monitoring,
      paths: { procfs },
    }).collect();
    expect(host.filesystems?.map((f) => [f.device, f.mountpoint])).toEqual([['/dev/host', '/']]);
  });

  it('statfs each mount under the rootfs and reports it without the rootfs prefix', async () => {
    // A container's view with the host's / at /host: its mounts file lists the host's
    // filesystems under /host (or, with --pid=host, as the host names them).
    const rootfs = await mkdtemp(join(tmpdir(), 'aegis-rootfs-'));
    await mkdir(join(rootfs, 'data'));
    const procfs = await mkdtemp(join(tmpdir(), 'aegis-proc-rootfs-'));
    for (const dir of ['net', 'self']) await mkdir(join(procfs, dir));
    for (const file of ['stat', 'meminfo', 'loadavg', 'net/dev', 'diskstats'])
      await writeFile(join(procfs, file), '');
    await writeFile(
      join(procfs, 'self/mounts'),
      [
        'overlay / overlay rw 0 0',
        `/dev/vda ${rootfs} ext4 rw 0 0`,
        '/dev/vdb /data xfs rw 0 0',
        `/dev/vdc ${rootfs}/missing ext4 rw 0 0`,
        `proc ${rootfs}/proc proc rw 0 0`,
      ].join('\n'),
    );
    const host = await new HostCollector({
      config: validateConfig({}).monitoring,
      paths: { procfs, rootfs },
    }).collect();
    // /missing does not exist under the rootfs, so its statfs fails and it is left out.
    expect(host.filesystems?.map((f) => [f.device, f.mountpoint])).toEqual([
      ['/dev/vda', '/'],
      ['/dev/vdb', '/data'],
    ]);
    const expected = await statfs(rootfs);
    expect(host.filesystems?.[0]?.size_bytes).toBe(expected.blocks * expected.bsize);
  });
});
