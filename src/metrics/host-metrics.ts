/**
 * Host metrics, named after node_exporter's with the `aegis_node_` prefix so that
 * dashboards and alert rules written for node_exporter translate by renaming.
 */
import type { Registry } from 'prom-client';
import {
  CPU_MODES,
  type DiskDeviceStats,
  type MemoryStats,
  type NetworkDeviceStats,
} from '../collect/snapshot.js';
import { single, snapshotCounter, snapshotGauge, type SnapshotSource } from './snapshot-metric.js';

const MEMORY_GAUGES: ReadonlyArray<[keyof MemoryStats, string, string]> = [
  ['total_bytes', 'aegis_node_memory_total_bytes', 'Total usable memory (MemTotal).'],
  [
    'available_bytes',
    'aegis_node_memory_available_bytes',
    'Memory available for new work without swapping (MemAvailable).',
  ],
  ['free_bytes', 'aegis_node_memory_free_bytes', 'Unused memory (MemFree).'],
  ['buffers_bytes', 'aegis_node_memory_buffers_bytes', 'Memory in block device buffers (Buffers).'],
  ['cached_bytes', 'aegis_node_memory_cached_bytes', 'Memory in the page cache (Cached).'],
  ['swap_total_bytes', 'aegis_node_memory_swap_total_bytes', 'Total swap space (SwapTotal).'],
  ['swap_free_bytes', 'aegis_node_memory_swap_free_bytes', 'Unused swap space (SwapFree).'],
];

const NETWORK_COUNTERS: ReadonlyArray<[Exclude<keyof NetworkDeviceStats, 'device'>, string]> = [
  ['receive_bytes', 'Bytes received.'],
  ['transmit_bytes', 'Bytes transmitted.'],
  ['receive_packets', 'Packets received.'],
  ['transmit_packets', 'Packets transmitted.'],
  ['receive_errs', 'Receive errors.'],
  ['transmit_errs', 'Transmit errors.'],
  ['receive_drop', 'Received packets dropped.'],
  ['transmit_drop', 'Transmitted packets dropped.'],
];

const DISK_COUNTERS: ReadonlyArray<[Exclude<keyof DiskDeviceStats, 'device'>, string, string]> = [
  ['read_bytes', 'aegis_node_disk_read_bytes_total', 'Bytes read.'],
  ['written_bytes', 'aegis_node_disk_written_bytes_total', 'Bytes written.'],
  ['reads_completed', 'aegis_node_disk_reads_completed_total', 'Reads completed.'],
  ['writes_completed', 'aegis_node_disk_writes_completed_total', 'Writes completed.'],
  ['io_time_seconds', 'aegis_node_disk_io_time_seconds_total', 'Seconds spent doing I/O.'],
];

export function registerHostMetrics(registry: Registry, source: SnapshotSource): void {
  snapshotCounter(registry, source, {
    name: 'aegis_node_cpu_seconds_total',
    help: 'Seconds each CPU spent in each mode.',
    labelNames: ['cpu', 'mode'],
    read: (s) =>
      (s.host?.cpus ?? []).flatMap((cpu) =>
        CPU_MODES.map((mode) => [{ cpu: cpu.cpu, mode }, cpu.seconds[mode]] as const),
      ),
  });
  for (const [field, name, help] of MEMORY_GAUGES) {
    snapshotGauge(registry, source, {
      name,
      help,
      labelNames: [],
      read: (s) => single(s.host?.memory[field]),
    });
  }
  for (const period of ['1', '5', '15'] as const) {
    snapshotGauge(registry, source, {
      name: `aegis_node_load${period}`,
      help: `${period}m load average.`,
      labelNames: [],
      read: (s) => single(s.host?.load[`load${period}`]),
    });
  }
  snapshotGauge(registry, source, {
    name: 'aegis_node_boot_time_seconds',
    help: 'Node boot time, in unixtime.',
    labelNames: [],
    read: (s) => single(s.host?.boot_time_seconds),
  });
  for (const [field, name, help] of [
    ['size_bytes', 'aegis_node_filesystem_size_bytes', 'Filesystem size in bytes.'],
    ['free_bytes', 'aegis_node_filesystem_free_bytes', 'Filesystem free space in bytes.'],
    [
      'avail_bytes',
      'aegis_node_filesystem_avail_bytes',
      'Filesystem space available to non-root users in bytes.',
    ],
  ] as const) {
    snapshotGauge(registry, source, {
      name,
      help,
      labelNames: ['device', 'mountpoint', 'fstype'],
      read: (s) =>
        (s.host?.filesystems ?? []).map(
          (fs) =>
            [
              { device: fs.device, mountpoint: fs.mountpoint, fstype: fs.fstype },
              fs[field],
            ] as const,
        ),
    });
  }
  for (const [field, help] of NETWORK_COUNTERS) {
    snapshotCounter(registry, source, {
      name: `aegis_node_network_${field}_total`,
      help: `Network device statistic ${field}: ${help}`,
      labelNames: ['device'],
      read: (s) =>
        (s.host?.network ?? []).map((dev) => [{ device: dev.device }, dev[field]] as const),
    });
  }
  for (const [field, name, help] of DISK_COUNTERS) {
    snapshotCounter(registry, source, {
      name,
      help,
      labelNames: ['device'],
      read: (s) =>
        (s.host?.disks ?? []).map((disk) => [{ device: disk.device }, disk[field]] as const),
    });
  }
}
