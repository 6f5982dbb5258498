/**
 * The snapshot: everything one collection round read, at one instant. A single
 * snapshot per interval feeds both the /metrics exposition and the anomaly detector,
 * so /proc is read once per interval however many scrapes or consumers there are.
 * Snapshots are immutable once published.
 */

/** CPU modes as node_exporter names them. */
export const CPU_MODES = [
  'user',
  'nice',
  'system',
  'idle',
  'iowait',
  'irq',
  'softirq',
  'steal',
] as const;
export type CpuMode = (typeof CPU_MODES)[number];

export interface CpuTimes {
  /** CPU index as a string, like node_exporter's `cpu` label ("0", "1", ...). */
  cpu: string;
  /** Cumulative seconds spent in each mode since boot. */
  seconds: Record<CpuMode, number>;
}

export interface MemoryStats {
  total_bytes: number;
  available_bytes: number;
  free_bytes: number;
  buffers_bytes: number;
  cached_bytes: number;
  swap_total_bytes: number;
  swap_free_bytes: number;
}

export interface LoadAverages {
  load1: number;
  load5: number;
  load15: number;
}

export interface FilesystemStats {
  device: string;
  mountpoint: string;
  fstype: string;
  size_bytes: number;
  free_bytes: number;
  avail_bytes: number;
}

/** Cumulative counters of one network device since boot (they reset on wrap or reboot). */
export interface NetworkDeviceStats {
  device: string;
  receive_bytes: number;
  transmit_bytes: number;
  receive_packets: number;
  transmit_packets: number;
  receive_errs: number;
  transmit_errs: number;
  receive_drop: number;
  transmit_drop: number;
}

/** Cumulative counters of one block device since boot. */
export interface DiskDeviceStats {
  device: string;
  read_bytes: number;
  written_bytes: number;
  reads_completed: number;
  writes_completed: number;
  io_time_seconds: number;
}

export interface HostSnapshot {
  cpus: CpuTimes[];
  memory: MemoryStats;
  load: LoadAverages;
  boot_time_seconds: number;
  /** Absent when disk monitoring is off. */
  filesystems?: FilesystemStats[];
  /** Absent when disk monitoring is off. */
  disks?: DiskDeviceStats[];
  /** Absent when network monitoring is off. */
  network?: NetworkDeviceStats[];
}

export interface ProbeResult {
  /** The `target` label: the endpoint's configured name, else its URL. */
  target: string;
  url: string;
  success: boolean;
  /** Wall time of the request, up to its timeout. */
  duration_seconds: number;
  /** HTTP status code, or 0 when no response arrived (refused, timed out, DNS). */
  status_code: number;
  /** Why the probe failed, when it did. */
  error?: string;
}

export const CONTAINER_STATES = [
  'created',
  'running',
  'paused',
  'restarting',
  'removing',
  'exited',
  'dead',
] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];
export const CONTAINER_HEALTH = ['starting', 'healthy', 'unhealthy', 'none'] as const;
export type ContainerHealth = (typeof CONTAINER_HEALTH)[number];

export interface ContainerStats {
  id: string;
  /** Container name without the leading slash. */
  name: string;
  image: string;
  state: ContainerState;
  /** `none` when the container has no healthcheck. */
  health: ContainerHealth;
  restart_count: number;
  /** Unix seconds of the last start, 0 when never started. */
  started_at_seconds: number;
  /** Cumulative CPU seconds; absent when the container is not running or stats failed. */
  cpu_seconds?: number;
  /** Memory in use in bytes (cAdvisor's container_memory_usage_bytes); absent as above. */
  memory_bytes?: number;
  labels: Record<string, string>;
}

export interface ContainersSnapshot {
  /** False when the Docker API could not be reached this round. */
  engine_up: boolean;
  containers: ContainerStats[];
}

export type CollectorName = 'host' | 'endpoints' | 'containers';

export interface CollectorStatus {
  name: CollectorName;
  success: boolean;
  duration_seconds: number;
  error?: string;
}

export interface Snapshot {
  /** When the round started, Unix milliseconds. */
  timestamp_ms: number;
  /** Absent when the host collector is disabled or failed. */
  host?: HostSnapshot;
  /** Absent when endpoint monitoring is disabled. */
  probes?: ProbeResult[];
  /** Absent when container monitoring is disabled. */
  containers?: ContainersSnapshot;
  /** One entry per enabled collector. */
  collectors: CollectorStatus[];
}
