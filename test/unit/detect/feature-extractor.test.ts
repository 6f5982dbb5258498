import { describe, expect, it } from 'vitest';
import type { HostSnapshot, Snapshot } from '../../../src/collect/snapshot.js';
import { FeatureExtractor } from '../../../src/detect/feature-extractor.js';

function cpu(idle: number, user: number) {
  return {
    cpu: '0',
    seconds: { user, nice: 0, system: 0, idle, iowait: 0, irq: 0, softirq: 0, steal: 0 },
  };
}

function snapshot(t: number, host: Partial<HostSnapshot>, extra: Partial<Snapshot> = {}): Snapshot {
  return {
    timestamp_ms: t * 1000,
    host: {
      cpus: [cpu(100 + t, 10)],
      memory: {
        total_bytes: 1000,
        available_bytes: 250,
        free_bytes: 0,
        buffers_bytes: 0,
        cached_bytes: 0,
        swap_total_bytes: 0,
        swap_free_bytes: 0,
      },
      load: { load1: 0, load5: 0, load15: 0 },
      boot_time_seconds: 0,
      ...host,
    },
    collectors: [],
    ...extra,
  };
}

function net(receive: number) {
  return {
    device: 'eth0',
    receive_bytes: receive,
    transmit_bytes: 0,
    receive_packets: 0,
    transmit_packets: 0,
    receive_errs: 0,
    transmit_errs: 0,
    receive_drop: 0,
    transmit_drop: 0,
  };
}

describe('FeatureExtractor', () => {
  it('derives ratios at once and rates from the second snapshot on', () => {
    const extractor = new FeatureExtractor();
    const first = extractor.extract(snapshot(0, { network: [net(1000)] }));
    expect(Object.fromEntries(first.values)).toEqual({ memory_used_ratio: 0.75 });
    // Keyed by the packed key (the saved state's), each with its name and source labels.
    expect([...first.present].sort()).toEqual([
      ['cpu_utilisation', { name: 'cpu_utilisation', labels: {} }],
      ['memory_used_ratio', { name: 'memory_used_ratio', labels: {} }],
      [
        'network_receive_bytes_rate:eth0',
        { name: 'network_receive_bytes_rate', labels: { device: 'eth0' } },
      ],
      [
        'network_transmit_bytes_rate:eth0',
        { name: 'network_transmit_bytes_rate', labels: { device: 'eth0' } },
      ],
    ]);
    const second = extractor.extract(
      snapshot(2, { cpus: [cpu(101.5, 10.5)], network: [net(5000)] }),
    );
    expect(Object.fromEntries(second.values)).toEqual({
      cpu_utilisation: 0.25,
      memory_used_ratio: 0.75,
      'network_receive_bytes_rate:eth0': 2000,
      'network_transmit_bytes_rate:eth0': 0,
    });
  });

  it('treats a negative counter delta as a reset: no sample, but the series stays present', () => {
    const extractor = new FeatureExtractor();
    extractor.extract(snapshot(0, { network: [net(10_000)] }));
    const reset = extractor.extract(snapshot(1, { network: [net(300)] }));
    expect(reset.values.has('network_receive_bytes_rate:eth0')).toBe(false);
    expect(reset.present.has('network_receive_bytes_rate:eth0')).toBe(true);
    const after = extractor.extract(snapshot(2, { network: [net(800)] }));
    expect(after.values.get('network_receive_bytes_rate:eth0')).toBe(500);
  });

  it('labels filesystem and disk series with their mountpoint and device', () => {
    const extractor = new FeatureExtractor();
    const disk = (written: number) => ({
      device: 'sda',
      reads_completed: 0,
      writes_completed: 0,
      read_bytes: 0,
      written_bytes: written,
      io_time_seconds: 0,
    });
    const fs = {
      device: '/dev/sda1',
      mountpoint: '/',
      fstype: 'ext4',
      size_bytes: 100,
      free_bytes: 40,
    };
    extractor.extract(snapshot(0, { disks: [disk(0)], filesystems: [{ ...fs, avail_bytes: 40 }] }));
    const next = extractor.extract(
      snapshot(1, { disks: [disk(4096)], filesystems: [{ ...fs, avail_bytes: 40 }] }),
    );
    expect(next.values.get('filesystem_used_ratio:/')).toBeCloseTo(0.6);
    expect(next.present.get('filesystem_used_ratio:/')).toEqual({
      name: 'filesystem_used_ratio',
      labels: { mountpoint: '/' },
    });
    expect(next.values.get('disk_written_bytes_rate:sda')).toBe(4096);
    expect(next.present.get('disk_written_bytes_rate:sda')).toEqual({
      name: 'disk_written_bytes_rate',
      labels: { device: 'sda' },
    });
  });

  it('names probe and container series after their target and container', () => {
    const extractor = new FeatureExtractor();
    const base = {
      probes: [
        { target: 'api', url: 'http://x', success: false, duration_seconds: 0.2, status_code: 0 },
      ],
      containers: {
        engine_up: true,
        containers: [
          {
            id: 'c1',
            name: 'web',
            image: 'nginx',
            state: 'running' as const,
            health: 'none' as const,
            restart_count: 0,
            started_at_seconds: 0,
            cpu_seconds: 10,
            memory_bytes: 2048,
            labels: {},
          },
        ],
      },
    };
    extractor.extract(snapshot(0, {}, base));
    const next = extractor.extract(
      snapshot(
        1,
        {},
        {
          ...base,
          containers: {
            engine_up: true,
            containers: [
              { ...base.containers.containers[0]!, cpu_seconds: 10.5, restart_count: 2 },
            ],
          },
        },
      ),
    );
    expect(next.values.get('probe_duration_seconds:api')).toBe(0.2);
    expect(next.values.get('probe_success:api')).toBe(0);
    expect(next.values.get('container_cpu_rate:web')).toBe(0.5);
    expect(next.values.get('container_memory_bytes:web')).toBe(2048);
    // Two restarts in the last minute.
    expect(next.values.get('container_restarts_rate:web')).toBe(2 / 60);
    expect(next.present.get('probe_duration_seconds:api')?.labels).toEqual({ target: 'api' });
    expect(next.present.get('container_cpu_rate:web')?.labels).toEqual({ container: 'web' });
  });

  it('rates restarts over the last minute, so a crash loop holds and a recreated container starts again', () => {
    const extractor = new FeatureExtractor();
    const at = (second: number, restarts: number) =>
      extractor
        .extract(
          snapshot(
            second,
            {},
            {
              containers: {
                engine_up: true,
                containers: [
                  {
                    id: 'c1',
                    name: 'web',
                    image: 'nginx',
                    state: 'exited' as const,
                    health: 'none' as const,
                    restart_count: restarts,
                    started_at_seconds: 0,
                    cpu_seconds: 0,
                    memory_bytes: 0,
                    labels: {},
                  },
                ],
              },
            },
          ),
        )
        .values.get('container_restarts_rate:web');
    expect(at(0, 3)).toBe(0);
    expect(at(1, 4)).toBe(1 / 60);
    expect(at(2, 4)).toBe(1 / 60);
    expect(at(30, 6)).toBe(3 / 60);
    expect(at(61, 6)).toBe(2 / 60);
    expect(at(91, 6)).toBe(0);
    // Recreated: the count went down. No sample, then a window from the new count.
    expect(at(92, 0)).toBeUndefined();
    expect(at(93, 1)).toBe(1 / 60);
  });

  it('judges a filesystem once, at the shortest of its mount points', () => {
    const extractor = new FeatureExtractor();
    const fs = (device: string, mountpoint: string, avail: number) => ({
      device,
      mountpoint,
      fstype: 'ext4',
      size_bytes: 100,
      free_bytes: avail,
      avail_bytes: avail,
    });
    const out = extractor.extract(
      snapshot(0, {
        filesystems: [
          fs('/dev/vda', '/run/netns', 75),
          fs('/dev/vda', '/', 75),
          fs('/dev/vdb', '/data', 10),
          fs('/dev/vdb', '/srv/data', 10),
        ],
      }),
    );
    expect([...out.values].filter(([key]) => key.startsWith('filesystem'))).toEqual([
      ['filesystem_used_ratio:/', 0.25],
      ['filesystem_used_ratio:/data', 0.9],
    ]);
  });
});
