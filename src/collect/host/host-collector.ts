/**
 * The host collector: CPU, memory, load, boot time, and (when enabled) filesystems,
 * disk I/O and network, read straight from /proc and statfs with async I/O.
 * systeminformation is not used on this path: see the README's design notes for the
 * measurement of its event-loop blocking.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MonitoringConfig } from '../../config/monitoring.js';
import type { HostSnapshot } from '../snapshot.js';
import { parseDiskstats } from './proc-diskstats.js';
import { parseLoadavg } from './proc-loadavg.js';
import { parseMeminfo } from './proc-meminfo.js';
import { parseNetDev } from './proc-net-dev.js';
import { parseProcStat } from './proc-stat.js';
import { parseMounts, readFilesystemStats } from './mounts.js';

/** How long one statfs may take before its mount is left out of the round. */
const STATFS_TIMEOUT_MS = 1000;

export interface HostCollectorOptions {
  config: Pick<
    MonitoringConfig,
    | 'enable_network_monitoring'
    | 'enable_disk_monitoring'
    | 'filesystem_fstypes_exclude'
    | 'filesystem_mount_points_exclude'
    | 'network_devices_exclude'
    | 'disk_devices_exclude'
  >;
  /** Root of the proc filesystem; tests point it at a fixture tree. @default /proc */
  procRoot?: string;
}

export class HostCollector {
  readonly #procRoot: string;
  readonly #network: boolean;
  readonly #disk: boolean;
  readonly #excludeFstypes: RegExp;
  readonly #excludeMountpoints: RegExp;
  readonly #excludeNetDevices: RegExp;
  readonly #excludeDisks: RegExp;

  constructor(options: HostCollectorOptions) {
    const { config } = options;
    this.#procRoot = options.procRoot ?? '/proc';
    this.#network = config.enable_network_monitoring;
    this.#disk = config.enable_disk_monitoring;
    this.#excludeFstypes = new RegExp(config.filesystem_fstypes_exclude);
    this.#excludeMountpoints = new RegExp(config.filesystem_mount_points_exclude);
    this.#excludeNetDevices = new RegExp(config.network_devices_exclude);
    this.#excludeDisks = new RegExp(config.disk_devices_exclude);
  }

  async collect(): Promise<HostSnapshot> {
    const read = (path: string) => readFile(join(this.#procRoot, path), 'utf8');
    const [stat, meminfo, loadavg, netDev, diskstats, mounts] = await Promise.all([
      read('stat'),
      read('meminfo'),
      read('loadavg'),
      this.#network ? read('net/dev') : undefined,
      this.#disk ? read('diskstats') : undefined,
      this.#disk ? read('self/mounts') : undefined,
    ]);
    const { cpus, boot_time_seconds } = parseProcStat(stat);
    const snapshot: HostSnapshot = {
      cpus,
      memory: parseMeminfo(meminfo),
      load: parseLoadavg(loadavg),
      boot_time_seconds,
    };
    if (netDev !== undefined) snapshot.network = parseNetDev(netDev, this.#excludeNetDevices);
    if (diskstats !== undefined) snapshot.disks = parseDiskstats(diskstats, this.#excludeDisks);
    if (mounts !== undefined) {
      const entries = parseMounts(mounts, this.#excludeFstypes, this.#excludeMountpoints);
      snapshot.filesystems = await readFilesystemStats(entries, STATFS_TIMEOUT_MS);
    }
    return snapshot;
  }
}
