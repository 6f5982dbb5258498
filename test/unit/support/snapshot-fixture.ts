/** A small, fully specified snapshot that the exposition and consumer tests render. */
import type { Snapshot } from '../../../src/collect/snapshot.js';

export function snapshotFixture(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    timestamp_ms: 1_700_000_000_000,
    collectors: [
      { name: 'host', success: true, duration_seconds: 0.002 },
      { name: 'endpoints', success: true, duration_seconds: 0.05 },
      { name: 'containers', success: false, duration_seconds: 0.001, error: 'boom' },
    ],
    host: {
      cpus: [
        {
          cpu: '0',
          seconds: {
            user: 10,
            nice: 0,
            system: 5,
            idle: 100,
            iowait: 1,
            irq: 0,
            softirq: 0.5,
            steal: 0,
          },
        },
      ],
      memory: {
        total_bytes: 1000,
        available_bytes: 600,
        free_bytes: 400,
        buffers_bytes: 10,
        cached_bytes: 200,
        swap_total_bytes: 0,
        swap_free_bytes: 0,
      },
      load: { load1: 0.5, load5: 0.25, load15: 0.125 },
      boot_time_seconds: 1_690_000_000,
      filesystems: [
        {
          device: '/dev/vda',
          mountpoint: '/',
          fstype: 'ext4',
          size_bytes: 100,
          free_bytes: 40,
          avail_bytes: 30,
        },
      ],
      network: [
        {
          device: 'eth0',
          receive_bytes: 1000,
          transmit_bytes: 2000,
          receive_packets: 10,
          transmit_packets: 20,
          receive_errs: 0,
          transmit_errs: 0,
          receive_drop: 1,
          transmit_drop: 0,
        },
      ],
      disks: [
        {
          device: 'vda',
          read_bytes: 512,
          written_bytes: 1024,
          reads_completed: 1,
          writes_completed: 2,
          io_time_seconds: 0.5,
        },
      ],
    },
    probes: [
      {
        target: 'api',
        url: 'http://127.0.0.1:1/health',
        success: false,
        duration_seconds: 0.25,
        status_code: 503,
        error: 'unexpected status 503',
      },
    ],
    containers: {
      engine_up: true,
      containers: [
        {
          id: '0123456789abcdef0123',
          name: 'web',
          image: 'localhost/busybox:latest',
          state: 'running',
          health: 'healthy',
          restart_count: 2,
          started_at_seconds: 1_699_999_000,
          cpu_seconds: 1.5,
          memory_bytes: 4096,
          labels: { 'aegis.autoheal': 'true' },
        },
      ],
    },
    ...overrides,
  };
}
