/** The `monitoring` section: what the collectors read and how often. */
import { z } from 'zod';
import { duration } from './duration.js';
import { PARSE_ONCE } from './parse-once.js';
import { regex } from './regex.js';

/** One probed HTTP endpoint. A bare URL string in YAML is shorthand for `{ url }`. */
const endpointSchema = z.strictObject({
  /** The URL probed with an HTTP request. */
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
  /** The `target` label on the probe metrics. @default the URL */
  name: z.string().min(1).optional(),
  /** HTTP method. @default GET */
  method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
  /** Per-probe timeout; a hanging endpoint fails after this without delaying the others. @default monitoring.probe_timeout */
  timeout: duration({ min: 0.001, max: 300 }).optional(),
  /** Status codes counted as success. @default any 2xx */
  valid_status_codes: z.array(z.number().int().min(100).max(599)).optional(),
});

const endpointEntry = z
  .union([z.string(), endpointSchema], {
    error: 'expected a URL or an object with a url',
  })
  .transform((entry, ctx) => {
    if (typeof entry !== 'string') return entry;
    const parsed = endpointSchema.safeParse({ url: entry }, PARSE_ONCE);
    if (!parsed.success) {
      ctx.addIssue({
        code: 'custom',
        message: `expected an http:// or https:// URL, got ${JSON.stringify(entry)}`,
      });
      return z.NEVER;
    }
    return parsed.data;
  });

export const monitoringSchema = z.strictObject({
  /** Time between collections; one snapshot per interval feeds /metrics and the detector. @default 5s */
  collection_interval: duration({ min: 0.1, max: 3600 }).default(5),
  /** HTTP endpoints probed for availability, latency and status. @default [] */
  api_endpoints: z.array(endpointEntry).default([]),
  /** Default timeout of each endpoint probe. @default 5s */
  probe_timeout: duration({ min: 0.001, max: 300 }).default(5),
  /** Collect host CPU, memory, filesystem and load metrics. @default true */
  enable_host_monitoring: z.boolean().default(true),
  /** Collect per-device network counters (part of the host collector). @default true */
  enable_network_monitoring: z.boolean().default(true),
  /** Collect filesystem usage and disk I/O counters (part of the host collector). @default true */
  enable_disk_monitoring: z.boolean().default(true),
  /** Probe `api_endpoints`. @default true */
  enable_endpoint_monitoring: z.boolean().default(true),
  /** Watch containers through the Docker API. @default true */
  enable_container_monitoring: z.boolean().default(true),
  /**
   * Docker API endpoint: `unix:///path/to.sock`, `tcp://host:port` or a socket path.
   * @default $DOCKER_HOST, else unix:///var/run/docker.sock
   */
  docker_host: z.string().min(1).optional(),
  /** Timeout of each Docker API call made by the container collector. @default 5s */
  docker_timeout: duration({ min: 0.001, max: 300 }).default(5),
  /** How many container stats requests run at once. @default 4 */
  container_stats_concurrency: z.number().int().min(1).max(64).default(4),
  /** Filesystem types left out (node_exporter's default list of pseudo filesystems). */
  filesystem_fstypes_exclude: regex().default(
    '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|erofs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs|fuse\\..*)$',
  ),
  /** Mount points left out (node_exporter's default). */
  filesystem_mount_points_exclude: regex().default(
    '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)',
  ),
  /** Network devices left out. @default none */
  network_devices_exclude: regex().default('^$'),
  /** Block devices left out: partitions, loop and ram devices (node_exporter's default). */
  disk_devices_exclude: regex().default('^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$'),
});

export type EndpointConfig = z.output<typeof endpointSchema>;
export type MonitoringConfig = z.output<typeof monitoringSchema>;
export type MonitoringConfigInput = z.input<typeof monitoringSchema>;
