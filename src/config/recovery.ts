/** The `recovery` section: the healer's switches, limits, allowlists and state. */
import { z } from 'zod';
import { duration } from './duration.js';
import { regex } from './regex.js';

/** A Redis cache that `cache_flush` may empty, named in the policy by its key in `caches`. */
const cacheSchema = z
  .strictObject({
    /** `redis://[user:password@]host:port`. */
    url: z.string().regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL'),
    /** Database number the flush works in. @default 0 */
    db: z.number().int().min(0).max(15).default(0),
    /**
     * Glob (Redis MATCH syntax) of the keys removed, by SCAN and UNLINK; without it the
     * whole database `db` is flushed (FLUSHDB ASYNC). @default none (the whole database)
     */
    pattern: z.string().min(1).optional(),
  })
  .refine((cache) => cache.pattern !== '*', {
    message: 'pattern "*" is the whole database: leave pattern out to flush db instead',
    path: ['pattern'],
  });

export const recoverySchema = z.strictObject({
  /** Allow `docker_restart` actions (only on containers that opt in by label). @default true */
  enable_docker_recovery: z.boolean().default(true),
  /** Allow `cache_flush` actions on configured Redis caches. @default true */
  enable_cache_recovery: z.boolean().default(true),
  /** Allow `service_restart` actions on configured systemd units. @default true */
  enable_service_recovery: z.boolean().default(true),
  /** Allow `exec` actions of the commands listed in `allowed_commands`. @default true */
  enable_exec_recovery: z.boolean().default(true),
  /** Most remediation actions running at once. @default 3 */
  max_concurrent_actions: z.number().int().min(1).max(100).default(3),
  /** Default time limit of one action, after which it is killed and counted as failed. @default 120s */
  action_timeout: duration({ min: 0.001, max: 3600 }).default(120),
  /** How long an action's effect may take to show (container running, unit active, probe 2xx). @default 30s */
  verify_timeout: duration({ min: 0.001, max: 3600 }).default(30),

  /** The healing policy (a YAML list of rules). @default none: the built-in policy, which restarts opted-in containers that exited or turned unhealthy */
  policy_file: z.string().min(1).optional(),
  /** Record what would be done instead of doing it, for every rule. @default false */
  dry_run: z.boolean().default(false),
  /** Minimum time between two actions of a rule on one target, unless the rule sets `cooldown`. @default 5m */
  default_cooldown: duration({ min: 0, max: 86_400 }).default(300),
  /** Attempts per alert episode (the first plus retries), unless the rule sets `max_attempts`. @default 3 */
  default_max_attempts: z.number().int().min(1).max(100).default(3),

  /** File holding the bearer token Alertmanager sends (its `credentials_file`). @default none */
  auth_token_file: z.string().min(1).optional(),
  /** Environment variable holding the bearer token, read when `auth_token_file` is not set. @default AEGIS_HEAL_TOKEN */
  auth_token_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
    .default('AEGIS_HEAL_TOKEN'),
  /** Accept /heal without a token. Only for a loopback-only or otherwise protected listener. @default false */
  auth_disabled: z.boolean().default(false),
  /** Largest /heal body accepted; larger ones get 413. @default 1048576 (1 MiB) */
  max_body_bytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1_048_576),

  /** Redis shared by healer replicas (episodes, locks, backoff, circuits, audit stream). @default none: state in memory */
  redis_url: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),
  /**
   * Redis Sentinel addresses (`host:port`) through which the healer finds the current
   * master, and follows a failover; instead of `redis_url`, never with it. @default none
   */
  redis_sentinels: z
    .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port'))
    .min(1)
    .optional(),
  /** The master's name in Sentinel (`sentinel monitor NAME ...`). @default aegis */
  redis_sentinel_master: z.string().min(1).default('aegis'),
  /**
   * Replicas that must have each of the healer's writes (Redis WAIT, within
   * `redis_timeout`) before it counts; else /heal answers 503 and nothing runs. Replication
   * is asynchronous: a claim only the master had would be gone after a failover. A master
   * with fewer replicas connected waits for those it has. @default 1 with redis_sentinels, else 0
   */
  redis_wait_replicas: z.number().int().min(0).max(10).optional(),
  /** Prefix of every key the healer writes in `redis_url`. @default aegis:heal: */
  redis_key_prefix: z.string().min(1).default('aegis:heal:'),
  /** Time limit of one state-store command; past it the store counts as down and /heal answers 503. @default 1s */
  redis_timeout: duration({ min: 0.001, max: 60 }).default(1),
  /** How long an alert episode is remembered, so a repeat of it is a duplicate. @default 24h */
  episode_ttl: duration({ min: 1, max: 30 * 86_400 }).default(86_400),
  /**
   * Lifetime of an episode claim and of a target lock. The replica holding them renews
   * them every third of it while it works, so a replica that dies frees its episodes and
   * targets this long after its last renewal. @default 20s
   */
  lease_duration: duration({ min: 1, max: 600 }).default(20),
  /**
   * Per-target state (backoff, failures, circuit) is forgotten this long after its last
   * write, in memory and in Redis; never sooner than the circuit stays open or the backoff
   * resets. @default 24h
   */
  target_state_ttl: duration({ min: 1, max: 30 * 86_400 }).default(86_400),
  /**
   * Most entries (episodes, cooldowns, locks) the memory state store keeps; past it the
   * oldest are forgotten first, and each one forgotten is logged. @default 100000
   */
  memory_store_max_entries: z.number().int().min(100).max(10_000_000).default(100_000),
  /**
   * The journal: each action's start is written and fsynced here before it runs, and its
   * end after, so a restarted healer knows which attempts a crash interrupted (and their
   * process groups), and, with the memory store, which episodes it already healed.
   * @default aegis_heal_journal.jsonl
   */
  journal_file: z.string().min(1).default('aegis_heal_journal.jsonl'),

  /** JSON-lines file every healing decision is appended to. @default aegis_heal_audit.jsonl */
  audit_file: z.string().min(1).default('aegis_heal_audit.jsonl'),
  /**
   * Keep healing while `audit_file` cannot be written. Off, an unwritable audit makes
   * /heal answer 503, pauses the local loop and reports /healthz degraded. @default false
   */
  audit_fail_open: z.boolean().default(false),
  /** Latest decisions shown by /status. @default 20 */
  audit_recent_entries: z.number().int().min(0).max(1000).default(20),
  /** Approximate cap of the Redis audit stream (XADD MAXLEN ~). @default 10000 */
  audit_stream_max_len: z.number().int().min(1).default(10_000),

  /** Docker endpoint per alert `instance` label, for healing several hosts: `{ "node2:8737": "tcp://node2:2376" }`. @default {} (every alert goes to monitoring.docker_host) */
  docker_endpoints: z.record(z.string().min(1), z.string().min(1)).default({}),
  /**
   * Client certificate for `docker_endpoints` reached over TCP: `tcp://` and `https://`
   * endpoints then speak TLS, verified against `ca_file` (the docker CLI's
   * DOCKER_TLS_VERIFY with DOCKER_CERT_PATH's ca.pem, cert.pem, key.pem). @default none
   */
  docker_tls: z
    .strictObject({
      ca_file: z.string().min(1),
      cert_file: z.string().min(1),
      key_file: z.string().min(1),
    })
    .optional(),
  /** `KEY=VALUE` label a container must carry to be restarted (docker-autoheal's convention). @default aegis.autoheal=true */
  docker_opt_in_label: z
    .string()
    .regex(/^[^=\s]+=[^\s]*$/, 'expected KEY=VALUE')
    .default('aegis.autoheal=true'),
  /** Seconds Docker waits after SIGTERM before SIGKILL when restarting (`docker restart -t`). @default 10s */
  docker_stop_timeout: duration({ min: 0, max: 3600 }).default(10),
  /** Redis caches `cache_flush` may empty, by name. @default {} */
  caches: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a cache name'), cacheSchema)
    .default({}),
  /** systemd units `service_restart` may restart, by exact name (`nginx.service`). @default [] */
  allowed_units: z
    .array(z.string().regex(/^[A-Za-z0-9:_.@\\-]+$/, 'expected a unit name'))
    .default([]),
  /** Absolute paths of the programs `exec` may run. @default [] */
  allowed_commands: z.array(z.string().regex(/^\//, 'expected an absolute path')).default([]),
  /**
   * What a label value must look like to be put in an action's target or argv. No shell
   * metacharacters, no spaces, no leading dash (it would read as an option).
   * @default ^[A-Za-z0-9_][A-Za-z0-9_.:@+=-]{0,252}$
   */
  label_value_pattern: regex().default('^[A-Za-z0-9_][A-Za-z0-9_.:@+=-]{0,252}$'),

  /** First retry delay on a target; doubles per recent attempt, like the kubelet's crash-loop backoff. @default 10s */
  backoff_initial: duration({ min: 0, max: 3600 }).default(10),
  /** Longest retry delay. @default 5m */
  backoff_max: duration({ min: 0, max: 86_400 }).default(300),
  /** A target left alone this long forgets its backoff. @default 10m */
  backoff_reset: duration({ min: 0, max: 86_400 }).default(600),
  /** Consecutive failed attempts on a target that open its circuit. @default 3 */
  circuit_failure_threshold: z.number().int().min(1).max(100).default(3),
  /** How long an open circuit keeps the healer off a target before one trial attempt. @default 30m */
  circuit_open_duration: duration({ min: 1, max: 30 * 86_400 }).default(1800),

  /** Turn the agent's own signals (exited/unhealthy containers, failing probes, anomalies) into alerts. @default true */
  enable_local_alerts: z.boolean().default(true),
  /** Consecutive failed probe rounds of one target before AegisEndpointDown fires locally. @default 3 */
  endpoint_down_rounds: z.number().int().min(1).max(1000).default(3),
  /** A local alert still firing is submitted again this often, as Alertmanager's repeat_interval does. @default 5m */
  local_repeat_interval: duration({ min: 1, max: 86_400 }).default(300),

  /** `KEY=VALUE` label that keeps a container from ever being restarted, even when it opted in. @default aegis.autoheal=false */
  docker_opt_out_label: z
    .string()
    .regex(/^[^=\s]+=[^\s]*$/, 'expected KEY=VALUE')
    .default('aegis.autoheal=false'),

  /** Start with healing paused (maintenance): every decision is skipped with reason `maintenance` until `DELETE /heal/maintenance`. @default false */
  maintenance: z.boolean().default(false),
  /** Alertmanager's base URL (`http://alertmanager:9093`): the local loop honours its silences, and actions are announced to it. Trailing slashes are dropped. @default none */
  alertmanager_url: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  /** How often the local loop reads the silences from `alertmanager_url`. @default 15s */
  alertmanager_silence_refresh: duration({ min: 1, max: 3600 }).default(15),
  /** Post an alert to `alertmanager_url` for every action taken, failed or given up, and every circuit opened. @default true */
  announce: z.boolean().default(true),
  /** Also POST each announcement (the same JSON alert list) to this URL. @default none */
  announce_webhook_url: z
    .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
    .optional(),
  /** Time limit of one announcement request. @default 5s */
  announce_timeout: duration({ min: 0.001, max: 60 }).default(5),
  /** Announcements waiting to be sent; past it the oldest are dropped (and counted). @default 1000 */
  announce_queue_size: z.number().int().min(1).max(100_000).default(1000),
});

export type CacheConfig = z.output<typeof cacheSchema>;
export type RecoveryConfig = z.output<typeof recoverySchema>;
export type RecoveryConfigInput = z.input<typeof recoverySchema>;
