/**
 * The healer: the Alertmanager webhook, the local loop, the policy, the dispatcher and
 * its state store, wired together with a lifecycle. This is the contract the rest of
 * the agent codes against.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { Snapshot } from '../collect/snapshot.js';
import type { RecoveryConfig } from '../config/recovery.js';
import type { AnomalyEvent } from '../detect/anomaly-event.js';
import { resolveDockerHost } from '../docker/docker-client.js';
import { ConfigError, LifecycleError } from '../errors.js';
import type { Logger } from '../logger.js';
import { CacheFlushAction } from './actions/cache-flush.js';
import { DockerRestartAction } from './actions/docker-restart.js';
import { readDockerTls } from './actions/docker-tls.js';
import { ExecAction } from './actions/exec.js';
import { ServiceRestartAction } from './actions/service-restart.js';
import { announcementsFor, type HealAnnouncements } from './announce/heal-announcements.js';
import { type AuditEntry, AuditLog } from './audit/audit-log.js';
import { createAuthenticator, howToConfigureAuth, type TokenCheck } from './receive/auth.js';
import { type Clock, systemClock, type Timer } from './dispatch/clock.js';
import { replayIntoStore } from './dispatch/attempt-journal.js';
import { type AlertDecision, Dispatcher } from './dispatch/dispatcher.js';
import { eventLoopSlices, type Slices } from './dispatch/slices.js';
import { StateStoreUnavailableError, UnsafeLabelError } from './errors.js';
import { type HealMetrics, registerHealMetrics } from './heal-metrics.js';
import { type LabelCheck, labelSafetyCheck } from './receive/label-safety.js';
import { LocalAlerts } from './local-loop.js';
import { EvictionLog } from './state/eviction-log.js';
import { MemoryStateStore } from './state/memory-state-store.js';
import { type HealAlert, type PlannedAlert, planAlert } from './policy/planner.js';
import { Holds } from './policy/holds.js';
import { allowListProblems } from './policy/allow-lists.js';
import { loadPolicy, type Policy } from './policy/policy.js';
import {
  createMaintenanceHandler,
  type MaintenanceHandler,
  type MaintenanceState,
} from './receive/maintenance-handler.js';
import { Journal } from './state/journal.js';
import { RedisStateStore } from './state/redis-state-store.js';
import type { StateStore } from './state/state-store.js';
import {
  createWebhookHandler,
  type WebhookHandler,
  type WebhookReply,
} from './receive/webhook-handler.js';
import type { Notification } from './receive/webhook-payload.js';

export { checkPolicyFile } from './policy/policy.js';
export type { AuditEntry } from './audit/audit-log.js';

/** How often the open-circuit gauge is reconciled with the store (other replicas open circuits too). */
const CIRCUIT_REFRESH_MS = 10_000;
/** Notifications judged at once with Redis, whose claims wait on round trips (one at a time with the memory store). */
const REDIS_JUDGED_AT_ONCE = 8;
/** How often Redis' epoch marker is read while it is not known to be intact. */
const EPOCH_CHECK_MS = 2_000;

/**
 * Redis' epoch marker: `ok` (the one this healer knows), `unverified` (not read since
 * Redis came back), `lost` (gone or changed: Redis lost the healer's episodes).
 */
type EpochState = 'ok' | 'unverified' | 'lost';

/** Whether the healer works, and why not (the /healthz view). */
export interface HealerHealth {
  healthy: boolean;
  /** Why the healer refuses work, when it does. */
  reason?: string;
}

export interface HealerOptions {
  config: RecoveryConfig;
  registry: Registry;
  logger: Logger;
  /** monitoring.docker_host, else $DOCKER_HOST, else unix:///var/run/docker.sock. */
  dockerHost?: string;
  clock?: Clock;
}

export interface HealerStatus {
  /**
   * Verified successes over attempts whose outcome is known (verified or failed), 0..1;
   * null before the first such attempt. Unverified and running attempts do not count.
   */
  success_rate: number | null;
  /** Actions executed by this replica (dry runs and skips are not attempts). */
  attempts: number;
  verified_successes: number;
  /** Attempts done without any check of their effect (exec, cache_flush without verify_command or probe_url). */
  unverified: number;
  /** Attempts aborted because their alert resolved (a rule's `cancel_on_resolve`). */
  cancelled: number;
  in_flight: number;
  /** Target keys (`docker_restart:web`) whose circuit is open. */
  open_circuits: string[];
  /** Whether healing is paused (/heal/maintenance, recovery.maintenance), since when and why. */
  maintenance: MaintenanceState;
  /** The latest decisions, oldest first. */
  recent: AuditEntry[];
}

type State = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

export class Healer {
  readonly #config: RecoveryConfig;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #metrics: HealMetrics;
  readonly #store: StateStore;
  readonly #redis: RedisStateStore | undefined;
  readonly #journal: Journal;
  readonly #audit: AuditLog;
  readonly #dispatcher: Dispatcher;
  readonly #local: LocalAlerts;
  readonly #check: LabelCheck;
  readonly #handler: WebhookHandler;
  readonly #maintenanceHandler: MaintenanceHandler;
  /** The event loop's slices: the webhook, the planning of a notification and the dispatcher share them. */
  readonly #slices: Slices = eventLoopSlices;
  /** Maintenance and Alertmanager's silences. */
  readonly holds: Holds;
  readonly #announcements: HealAnnouncements | undefined;
  #auth: TokenCheck | undefined;
  #policy: Policy = [];
  #state: State = 'created';
  #circuitTimer: Timer | undefined;
  #epochTimer: Timer | undefined;
  #stopped: Promise<void> | undefined;
  #epoch: string | undefined;
  #epochState: EpochState = 'unverified';

  constructor(options: HealerOptions) {
    const { config, logger } = options;
    this.#config = config;
    this.#logger = logger;
    this.#clock = options.clock ?? systemClock;
    this.#metrics = registerHealMetrics(options.registry);
    this.#check = labelSafetyCheck(config.label_value_pattern);
    let stream: ((json: string) => Promise<void>) | undefined;
    // Never shorter than what the state is for: an open circuit, a backoff not yet reset.
    const targetTtlMs =
      Math.max(config.target_state_ttl, config.circuit_open_duration, config.backoff_reset) * 1000;
    const connection =
      config.redis_sentinels !== undefined
        ? { sentinels: config.redis_sentinels, masterName: config.redis_sentinel_master }
        : config.redis_url !== undefined
          ? { url: config.redis_url }
          : undefined;
    if (connection !== undefined) {
      const redis = new RedisStateStore({
        connection,
        prefix: config.redis_key_prefix,
        commandTimeoutMs: config.redis_timeout * 1000,
        auditStreamMaxLen: config.audit_stream_max_len,
        targetTtlMs,
        waitReplicas: config.redis_wait_replicas ?? (config.redis_sentinels ? 1 : 0),
        onStateChange: (up) => this.#onStoreChange(up),
      });
      stream = (json) => redis.appendAudit(json);
      this.#store = redis;
      this.#redis = redis;
    } else {
      const evictions = new EvictionLog({
        logger,
        counter: this.#metrics.stateEvictions,
        clock: this.#clock,
        maxEntries: config.memory_store_max_entries,
      });
      this.#store = new MemoryStateStore({
        clock: this.#clock,
        maxEntries: config.memory_store_max_entries,
        targetTtlMs,
        onEvict: (key) => evictions.evicted(key),
      });
      this.#epochState = 'ok';
    }
    this.#metrics.stateStoreUp.set(this.#store.kind === 'memory' ? 1 : 0);
    this.#metrics.stateStoreLost.set(0);
    this.#journal = new Journal(config.journal_file);
    this.#audit = new AuditLog({
      file: config.audit_file,
      recentEntries: config.audit_recent_entries,
      logger,
      ...(stream ? { stream } : {}),
      onWritableChange: (writable) => this.#metrics.auditWritable.set(writable ? 1 : 0),
    });
    this.#metrics.auditWritable.set(0);
    const requestTimeoutMs = config.action_timeout * 1000;
    this.holds = new Holds({ config, metrics: this.#metrics, logger, clock: this.#clock });
    this.#announcements = announcementsFor(config, this.#metrics, logger);
    this.#dispatcher = new Dispatcher({
      config,
      store: this.#store,
      actions: {
        docker_restart: new DockerRestartAction({
          defaultHost: resolveDockerHost(options.dockerHost),
          optInLabel: config.docker_opt_in_label,
          optOutLabel: config.docker_opt_out_label,
          stopTimeoutSeconds: config.docker_stop_timeout,
          requestTimeoutMs,
          ...(config.docker_tls ? { tls: readDockerTls(config.docker_tls) } : {}),
        }),
        cache_flush: new CacheFlushAction({
          caches: config.caches,
          commandTimeoutMs: requestTimeoutMs,
          allowedCommands: config.allowed_commands,
        }),
        service_restart: new ServiceRestartAction({ allowedUnits: config.allowed_units }),
        exec: new ExecAction(config.allowed_commands),
      },
      audit: this.#audit,
      metrics: this.#metrics,
      logger,
      clock: this.#clock,
      ...(this.#announcements ? { announcements: this.#announcements } : {}),
      paused: () => this.holds.paused,
      journal: this.#journal,
      refused: () => this.#refusal()?.error,
    });
    this.#local = new LocalAlerts({
      endpointDownRounds: config.endpoint_down_rounds,
      repeatIntervalMs: config.local_repeat_interval * 1000,
    });
    this.#handler = createWebhookHandler({
      ready: () => this.#state === 'running',
      // The token is read at start; until then nothing is accepted.
      auth: {
        check: (header) => this.#auth?.check(header) ?? 'not_configured',
        howToConfigure: howToConfigureAuth(config),
      },
      maxBodyBytes: config.max_body_bytes,
      metrics: this.#metrics,
      logger,
      receive: (notification, receivedAt) => this.#receive(notification, receivedAt),
      slices: this.#slices,
      // Judging is all CPU with the memory store; with Redis it is mostly round trips.
      concurrency: this.#redis ? REDIS_JUDGED_AT_ONCE : 1,
    });
    this.#maintenanceHandler = createMaintenanceHandler({
      auth: {
        check: (header) => this.#auth?.check(header) ?? 'not_configured',
        howToConfigure: howToConfigureAuth(config),
      },
      logger,
      state: () => this.holds.maintenanceState(),
      set: (paused, reason, by) => this.holds.setMaintenance(paused, reason, by),
    });
  }

  /** Handles /heal/maintenance completely. */
  maintenanceHandler(): MaintenanceHandler {
    return this.#maintenanceHandler;
  }

  #onStoreChange(up: boolean): void {
    this.#metrics.stateStoreUp.set(up ? 1 : 0);
    // A Redis that comes back may have come back empty: nothing is claimed until its
    // epoch marker is read and found intact.
    if (this.#epochState === 'ok') this.#epochState = 'unverified';
    if (up) void this.#checkEpoch();
    this.#logger[up ? 'info' : 'warn'](
      { event: up ? 'heal_state_store_up' : 'heal_state_store_down', store: this.#store.kind },
      up
        ? 'healing state store connected'
        : 'healing state store lost: the healer acts on nothing until it returns',
    );
  }

  /** Loads the policy and the token (ConfigError when either is bad), opens the audit and connects the store. */
  async start(): Promise<void> {
    if (this.#state !== 'created')
      throw new LifecycleError(`cannot start a healer that is ${this.#state}`);
    this.#state = 'starting';
    try {
      this.#policy = await loadPolicy(this.#config.policy_file);
      // A rule off its allow-list could never act: refuse it now, as check-config does.
      const offList = allowListProblems(this.#policy, this.#config);
      if (offList.length > 0)
        throw new ConfigError(this.#config.policy_file ?? 'default policy', offList);
      this.#auth = await createAuthenticator(this.#config);
      // Unwritable, it is reported and tried again; the healer refuses work meanwhile.
      this.#audit.open();
      const now = this.#clock.now();
      const replay = await this.#journal
        .load(now, this.#config.episode_ttl * 1000)
        .catch((error: unknown) => {
          throw new ConfigError('recovery', [
            {
              path: 'recovery.journal_file',
              message: `cannot use ${this.#config.journal_file}: ${(error as Error).message}`,
            },
          ]);
        });
      this.#epoch = replay.epoch;
      if (this.#store.kind === 'memory')
        await replayIntoStore(this.#store, replay, now, this.#config.episode_ttl * 1000);
      await this.#store.connect();
      await this.holds.start();
      if (this.#redis) await this.#checkEpoch();
      const finishedBefore = new Map(
        replay.attempts.flatMap(({ record, finished }) =>
          finished ? [[record.id, finished.final] as const] : [],
        ),
      );
      this.#dispatcher.recover(replay.replica, replay.open, finishedBefore);
    } catch (error) {
      this.#state = 'stopped';
      await this.#store.close();
      await this.#journal.close();
      await this.#audit.close();
      throw error;
    }
    this.#state = 'running';
    this.#scheduleCircuitRefresh();
    if (this.#redis) this.#scheduleEpochCheck();
    this.#logger.info(
      {
        event: 'healer_started',
        rules: this.#policy.length,
        policy: this.#config.policy_file ?? 'default',
        store: this.#store.kind,
        dry_run: this.#config.dry_run,
        auth:
          this.#config.auth_disabled && this.#auth.check(undefined) === 'ok'
            ? 'disabled'
            : 'bearer',
      },
      'healer started',
    );
  }

  /**
   * Reads Redis' epoch marker. The first time (no epoch in the journal), sets one if Redis
   * has none, and adopts it. Later, a marker gone or changed means Redis lost the
   * episodes that keep healing exactly-once: the healer then fails closed (503) until an
   * operator puts the marker back, as the log line says how.
   */
  async #checkEpoch(): Promise<void> {
    const redis = this.#redis;
    if (!redis) return;
    try {
      if (this.#epoch === undefined) {
        const value = await redis.claimEpoch(randomUUID());
        await this.#journal.append({ t: 'epoch', time: this.#clock.now(), value });
        this.#epoch = value;
      }
      const current = await redis.readEpoch();
      this.#setEpochState(current === this.#epoch ? 'ok' : 'lost', current);
    } catch {
      // Down: still unverified; the store's own events and gauge report it.
    }
  }

  #setEpochState(state: EpochState, current?: string): void {
    const previous = this.#epochState;
    this.#epochState = state;
    this.#metrics.stateStoreLost.set(state === 'lost' ? 1 : 0);
    if (state === 'lost' && previous !== 'lost') {
      const key = this.#redis?.epochKey;
      this.#logger.error(
        {
          event: 'heal_state_store_lost',
          expected_epoch: this.#epoch,
          found_epoch: current ?? null,
        },
        `Redis lost the healer's state (${key} is ${current === undefined ? 'gone' : `"${current}"`}, ` +
          `expected "${this.#epoch}"): episodes healed before could be healed again, so /heal answers 503 ` +
          `and nothing is healed. Once repeats are acceptable (or recovery.episode_ttl has passed), ` +
          `resume with: redis-cli SET '${key}' '${this.#epoch}'`,
      );
    } else if (state === 'ok' && previous === 'lost') {
      this.#logger.info(
        { event: 'heal_state_store_epoch_restored', epoch: this.#epoch },
        'the Redis epoch marker is back: healing resumes',
      );
    }
  }

  #scheduleEpochCheck(): void {
    this.#epochTimer = this.#clock.setTimeout(() => {
      const check = this.#epochState === 'ok' ? Promise.resolve() : this.#checkEpoch();
      void check.finally(() => {
        if (this.#state === 'running') this.#scheduleEpochCheck();
      });
    }, EPOCH_CHECK_MS);
  }

  /** Why the healer takes no work now (503), if it takes none. */
  #refusal(): { error: string; message: string } | undefined {
    if (!this.#audit.writable && !this.#config.audit_fail_open) {
      return {
        error: 'audit_unwritable',
        message: `the healing audit file ${this.#config.audit_file} cannot be written, so nothing is healed (recovery.audit_fail_open is off); deliver again later`,
      };
    }
    if (this.#epochState === 'lost') {
      return {
        error: 'state_store_lost',
        message: `Redis lost the healer's state (its epoch marker ${this.#redis?.epochKey}); see the log to resume; deliver again later`,
      };
    }
    if (this.#epochState === 'unverified') {
      return {
        error: 'state_store_unavailable',
        message: 'the state store (Redis) is not confirmed intact yet; deliver again later',
      };
    }
    return undefined;
  }

  /** Unhealthy while the healer refuses work: audit unwritable, Redis lost its state. */
  health(): HealerHealth {
    const refusal = this.#refusal();
    if (refusal === undefined || refusal.error === 'state_store_unavailable')
      return { healthy: true };
    return { healthy: false, reason: `healer degraded: ${refusal.error}` };
  }

  #scheduleCircuitRefresh(): void {
    this.#circuitTimer = this.#clock.setTimeout(() => {
      this.#dispatcher
        .refreshCircuits()
        .catch(() => undefined) // The store being down is reported by its own gauge and events.
        .finally(() => {
          if (this.#state === 'running') this.#scheduleCircuitRefresh();
        });
    }, CIRCUIT_REFRESH_MS);
  }

  /** Handles POST /heal completely. */
  handler(): WebhookHandler {
    return this.#handler;
  }

  async #receive(notification: Notification, receivedAt: number): Promise<WebhookReply> {
    const refusal = this.#refusal();
    if (refusal !== undefined) {
      this.#metrics.notifications.inc({ status: 'refused' });
      this.#logger.warn(
        { event: 'heal_notification_refused', reason: refusal.error },
        refusal.message,
      );
      return { status: 503, body: refusal };
    }
    const planned: PlannedAlert[] = [];
    const problems: { path: string; message: string }[] = [];
    // Planned in the event loop's slices: 1,000 alerts take milliseconds.
    for (const [
      index,
      { status, labels, annotations, startsAt, fingerprint },
    ] of notification.alerts.entries()) {
      if (this.#slices.due) await this.#slices.next();
      const alert: HealAlert = {
        status,
        labels,
        annotations,
        startsAt,
        fingerprint,
        source: 'webhook',
      };
      this.#planOne(alert, index, receivedAt, planned, problems);
    }
    if (problems.length > 0) {
      this.#metrics.notifications.inc({ status: 'invalid' });
      const first = problems[0] as { path: string; message: string };
      return {
        status: 422,
        body: { error: 'unsafe_label', message: `${first.path}: ${first.message}`, problems },
      };
    }
    this.#metrics.notifications.inc({ status: notification.status });
    if (notification.truncatedAlerts > 0) {
      this.#logger.warn(
        {
          event: 'heal_notification_truncated',
          receiver: notification.receiver,
          group_key: notification.groupKey,
          truncated_alerts: notification.truncatedAlerts,
        },
        `Alertmanager left ${notification.truncatedAlerts} alert(s) out of this notification ` +
          `(the receiver's max_alerts): the healer never sees them`,
      );
    }
    try {
      const decisions = await this.#dispatcher.submit(planned);
      this.#logSummary(notification, decisions);
      return { status: 202, body: { status: 'accepted', decisions } };
    } catch (error) {
      if (!(error instanceof StateStoreUnavailableError)) throw error;
      this.#logger.warn({ event: 'heal_state_store_unavailable', err: error }, error.message);
      return {
        status: 503,
        body: {
          error: 'state_store_unavailable',
          message: `${error.message}; deliver again later`,
        },
      };
    }
  }

  /** One info line per notification: how many of its alerts were queued, and skipped why. */
  #logSummary(notification: Notification, decisions: readonly AlertDecision[]): void {
    const counts: Record<string, number> = {};
    for (const { decision, reason } of decisions) {
      const key = reason ?? decision;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    const summary = Object.entries(counts)
      .map(([key, count]) => `${count} ${key}`)
      .join(', ');
    this.#logger.info(
      {
        event: 'heal_notification_received',
        receiver: notification.receiver,
        status: notification.status,
        group_key: notification.groupKey,
        alerts: notification.alerts.length,
        decisions: counts,
      },
      `notification: ${notification.alerts.length} alert(s) ${notification.status}: ${summary}`,
    );
  }

  /**
   * Plans each alert; one with an unsafe label is recorded as rejected and named in
   * `problems` by its path in the notification (`alerts.N.labels.NAME`).
   */
  #plan(
    alerts: readonly HealAlert[],
    receivedAt: number,
  ): { planned: PlannedAlert[]; problems: { path: string; message: string }[] } {
    const planned: PlannedAlert[] = [];
    const problems: { path: string; message: string }[] = [];
    alerts.forEach((alert, index) => this.#planOne(alert, index, receivedAt, planned, problems));
    return { planned, problems };
  }

  /** Plans the alert at `index` into `planned`, or, when a label is unsafe, records it and adds it to `problems`. */
  #planOne(
    alert: HealAlert,
    index: number,
    receivedAt: number,
    planned: PlannedAlert[],
    problems: { path: string; message: string }[],
  ): void {
    try {
      planned.push(
        planAlert(alert, this.#policy, this.#config, this.#check, receivedAt, (a) =>
          this.holds.hold(a),
        ),
      );
    } catch (error) {
      if (!(error instanceof UnsafeLabelError)) throw error;
      this.#dispatcher.recordRejection(alert, error);
      problems.push({ path: `alerts.${index}.labels.${error.label}`, message: error.message });
    }
  }

  /** The local loop: turns one collection round's signals into alerts and hands them to the dispatcher. */
  observe(snapshot: Snapshot, events: AnomalyEvent[]): void {
    if (this.#state !== 'running' || !this.#config.enable_local_alerts) return;
    // Paused while the healer refuses work; /healthz and the metrics say why.
    if (this.#refusal() !== undefined) return;
    const alerts = this.#local.observe(snapshot, events, this.#clock.now());
    if (alerts.length === 0) return;
    for (const alert of alerts) this.#metrics.notifications.inc({ status: alert.status });
    // An alert with an unsafe label is recorded as rejected and left out; the rest go on.
    const { planned } = this.#plan(alerts, performance.now());
    this.#dispatcher.submit(planned).catch((error: unknown) => {
      this.#local.unsent(alerts);
      this.#logger.warn(
        { event: 'heal_state_store_unavailable', source: 'local', err: error },
        'local alerts not taken: they are handed out again next round',
      );
    });
  }

  status(): HealerStatus {
    const { attempts, verified, unverified, cancelled, inFlight, openCircuits } =
      this.#dispatcher.stats;
    const known = attempts - unverified - cancelled - inFlight;
    return {
      success_rate: known === 0 ? null : verified / known,
      attempts,
      verified_successes: verified,
      unverified,
      cancelled,
      in_flight: inFlight,
      open_circuits: openCircuits,
      maintenance: this.holds.maintenanceState(),
      recent: this.#audit.recent(),
    };
  }

  /** Stops accepting, lets running actions finish or time out, closes the store and the audit file. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped;
  }

  async #shutdown(): Promise<void> {
    if (this.#state === 'created' || this.#state === 'stopped') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    this.#circuitTimer?.cancel();
    this.holds.stop();
    this.#epochTimer?.cancel();
    await this.#dispatcher.stop();
    await this.#announcements?.flush();
    await this.#store.close();
    await this.#journal.close();
    await this.#audit.close();
    this.#state = 'stopped';
    this.#logger.info({ event: 'healer_stopped' }, 'healer stopped');
  }
}
