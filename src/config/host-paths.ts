/**
 * The `path` section: where the host's proc, sys and root filesystems are mounted, as
 * node_exporter's `--path.procfs`, `--path.sysfs` and `--path.rootfs`. In a container
 * watching its host, mount the host's `/` read-only (e.g. at `/host`) and point these at
 * it; outside a container the defaults are the machine's own.
 */
import { z } from 'zod';

export const pathSchema = z.strictObject({
  /** Mount point of the proc filesystem: every /proc read of the host collector goes under it. @default /proc */
  procfs: z.string().min(1).default('/proc'),
  /** Mount point of the sys filesystem, for collectors that read /sys (none does yet). @default /sys */
  sysfs: z.string().min(1).default('/sys'),
  /**
   * Root of the filesystems whose usage is reported: a mount point is statfs'd under it,
   * and reported with this prefix removed, as node_exporter does. @default /
   */
  rootfs: z.string().min(1).default('/'),
});

export type HostPathsConfig = z.output<typeof pathSchema>;
