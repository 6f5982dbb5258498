/**
 * AegisSentinel: the agent. It wires the collectors, the collection loop, the
 * exposition, the anomaly detector and the healer to one HTTP server, and owns their
 * lifecycle: start() brings them up in order, stop() takes them down gracefully.
 */
import { Registry } from 'prom-client';
import { CollectionLoop, type Collectors } from './collect/collection-loop.js';
import { ContainerCollector } from './collect/container-collector.js';
import { EndpointCollector } from './collect/endpoint-collector.js';
import { HostCollector } from './collect/host/host-collector.js';
import type { Snapshot } from './collect/snapshot.js';
import type { SentinelConfig, SentinelConfigInput } from './config/schema.js';
import { validateConfig } from './config/validate.js';
import { writablePathProblems } from './config/writable-paths.js';
import {
  createDockerClient,
  dockerSocketMissing,
  resolveDockerHost,
} from './docker/docker-client.js';
import { AnomalyEngine, type AnomalyEngineStatus } from './detect/anomaly-engine.js';
import { ConfigError, LifecycleError } from './errors.js';
import { Healer, type HealerStatus } from './heal/healer.js';
import { loadWebSettings } from './config/web-config-file.js';
import { createApp, type Health } from './http/app.js';
import type { BasicAuth } from './http/basic-auth.js';
import { listen, type ListeningServer } from './http/server.js';
import { createLogger, type Logger } from './logger.js';
import { registerBuildInfo } from './metrics/build-info.js';
import { registerCollectorMetrics } from './metrics/collector-metrics.js';
import { registerContainerMetrics } from './metrics/container-metrics.js';
import { ExpositionRenderer } from './metrics/exposition.js';
import { registerHostMetrics } from './metrics/host-metrics.js';
import { registerProbeMetrics } from './metrics/probe-metrics.js';
import { registerProcessMetrics } from './metrics/process-metrics.js';
import { VERSION } from './version.js';

export type ServiceStatus = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface SentinelStatus {
  service_status: ServiceStatus;
  version: string;
  uptime_seconds: number;
  /** Anomaly onsets since start (not anomalous samples). */
  anomalies_detected: number;
  /** Verified successful healing actions over those with a known outcome, 0..1; null before the first. */
  success_rate: number | null;
  collection: {
    interval_seconds: number;
    last_collection: string | null;
    collectors: Snapshot['collectors'];
    container_engine_up: boolean | null;
  };
  /** null when `detection.enabled` is off. */
  detection: AnomalyEngineStatus | null;
  healing: HealerStatus;
}

export interface SentinelOptions {
  /** Logger to use instead of the one built from `config.log`. */
  logger?: Logger;
}

/** How long stop() lets HTTP requests in flight finish before dropping them. */
const HTTP_CLOSE_GRACE_MS = 5_000;

export class AegisSentinel implements AsyncDisposable {
  readonly config: SentinelConfig;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly #loop: CollectionLoop;
  readonly #renderer: ExpositionRenderer;
  readonly #detector: AnomalyEngine | undefined;
  readonly #healer: Healer;
  #server: ListeningServer | undefined;
  #status: ServiceStatus = 'created';
  #detectorStarted = false;
  #startedAt = 0;

  /** Validates the configuration (throws ConfigError naming every bad path) and builds the parts; nothing runs until start(). */
  constructor(config: SentinelConfigInput = {}, options: SentinelOptions = {}) {
    this.config = validateConfig(config);
    this.logger = options.logger ?? createLogger(this.config.log);
    this.registry = new Registry();
    registerProcessMetrics(this.registry);
    registerBuildInfo(this.registry);
    const latest = () => this.#loop.latest;
    registerCollectorMetrics(this.registry, latest);
    registerHostMetrics(this.registry, latest);
    registerProbeMetrics(this.registry, latest);
    registerContainerMetrics(this.registry, latest);
    this.#renderer = new ExpositionRenderer(this.registry);
    this.#loop = new CollectionLoop({
      collectors: this.#buildCollectors(),
      intervalSeconds: this.config.monitoring.collection_interval,
      logger: this.logger,
    });
    if (this.config.detection.enabled) {
      this.#detector = new AnomalyEngine({
        config: this.config.detection,
        registry: this.registry,
        logger: this.logger,
      });
    }
    this.#healer = new Healer({
      config: this.config.recovery,
      registry: this.registry,
      logger: this.logger,
      dockerHost: this.config.monitoring.docker_host,
    });
    // The detector and the healer's local loop read the very snapshot /metrics renders.
    this.#loop.onSnapshot((snapshot) => {
      const events = this.#detector?.observe(snapshot) ?? [];
      this.#healer.observe(snapshot, events);
    });
  }

  #buildCollectors(): Collectors {
    const { monitoring } = this.config;
    const collectors: Collectors = {};
    if (monitoring.enable_host_monitoring)
      collectors.host = new HostCollector({ config: monitoring, paths: this.config.path });
    if (monitoring.enable_endpoint_monitoring && monitoring.api_endpoints.length > 0) {
      collectors.endpoints = new EndpointCollector({
        endpoints: monitoring.api_endpoints,
        defaultTimeout: monitoring.probe_timeout,
      });
    }
    if (monitoring.enable_container_monitoring) {
      const host = resolveDockerHost(monitoring.docker_host);
      collectors.containers = new ContainerCollector({
        // Built on the first round that finds an engine: no socket, no dockerode.
        docker: () =>
          dockerSocketMissing(host)
            ? undefined
            : createDockerClient(host, monitoring.docker_timeout * 1000),
        concurrency: monitoring.container_stats_concurrency,
      });
    }
    return collectors;
  }

  /**
   * Starts collecting and serving. Resolves once the first snapshot (host figures) is
   * published and the server listens; probes and containers report as they answer.
   */
  async start(): Promise<void> {
    if (this.#status !== 'created')
      throw new LifecycleError(`cannot start a sentinel that is ${this.#status}`);
    this.#status = 'starting';
    this.#startedAt = Date.now();
    try {
      // First, so that a bad web configuration file or an unwritable audit or state path
      // fails the start before anything runs, with the words check-config uses.
      const unwritable = await writablePathProblems(this.config);
      if (unwritable.length > 0) throw new ConfigError('configuration', unwritable);
      const web = await loadWebSettings(this.config.web);
      this.#warnAboutWebSettings(web);
      // The healer before the detector: a bad policy or token file stops the start before
      // the detector has state to save, so a failed start writes no state file.
      await this.#healer.start();
      await this.#detector?.start();
      this.#detectorStarted = true;
      await this.#loop.start();
      const app = createApp({
        renderer: this.#renderer,
        status: () => this.getStatus(),
        health: () => this.#health(),
        logger: this.logger,
        heal: this.#healer.handler(),
        healMaintenance: this.#healer.maintenanceHandler(),
        telemetryPath: this.config.web.telemetry_path,
        ...(web.basicAuthUsers ? { basicAuth: await basicAuth(web.basicAuthUsers) } : {}),
        healHasOwnAuth: !this.config.recovery.auth_disabled,
        headers: web.headers,
      });
      this.#server = await listen(this.config.web, app, web, this.logger);
    } catch (error) {
      await this.#shutdown();
      throw error;
    }
    this.#status = 'running';
    const { host, port } = this.#server.address;
    this.logger.info(
      {
        event: 'agent_started',
        version: VERSION,
        address: `${host}:${port}`,
        tls: this.#server.tls,
        interval_seconds: this.config.monitoring.collection_interval,
      },
      'Aegis Sentinel started',
    );
  }

  #warnAboutWebSettings(web: Awaited<ReturnType<typeof loadWebSettings>>): void {
    if (this.config.web.tls_cert_file !== undefined)
      this.logger.warn(
        { event: 'config_deprecated', key: 'web.tls_cert_file' },
        'web.tls_cert_file and web.tls_key_file are deprecated: use tls_server_config in --web.config.file',
      );
    if (web.basicAuthUsers && !web.tls)
      this.logger.warn(
        { event: 'basic_auth_without_tls' },
        'basic authentication without TLS sends passwords in clear text',
      );
  }

  /** Stops gracefully: the server stops accepting, in-flight work finishes or times out. Idempotent. */
  async stop(): Promise<void> {
    if (this.#status === 'stopped' || this.#status === 'created') {
      this.#status = 'stopped';
      return;
    }
    if (this.#status === 'stopping') return;
    await this.#shutdown();
    this.logger.info(
      { event: 'agent_stopped', uptime_seconds: this.#uptime() },
      'Aegis Sentinel stopped',
    );
  }

  /** Outside in: no new requests, no new rounds, actions in flight finish, then state is saved. */
  async #shutdown(): Promise<void> {
    this.#status = 'stopping';
    await this.#server?.close(HTTP_CLOSE_GRACE_MS);
    await this.#loop.stop();
    await this.#healer.stop();
    if (this.#detectorStarted) await this.#detector?.stop();
    this.#status = 'stopped';
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Where the HTTP server listens, once started. */
  address(): { host: string; port: number } | undefined {
    return this.#server?.address;
  }

  /** The latest snapshot, for embedding programs that want the raw figures. */
  latestSnapshot(): Snapshot | undefined {
    return this.#loop.latest;
  }

  getStatus(): SentinelStatus {
    const latest = this.#loop.latest;
    const detection = this.#detector?.status() ?? null;
    const healing = this.#healer.status();
    return {
      service_status: this.#status,
      version: VERSION,
      uptime_seconds: this.#uptime(),
      anomalies_detected: detection?.anomalies_detected ?? 0,
      success_rate: healing.success_rate,
      collection: {
        interval_seconds: this.config.monitoring.collection_interval,
        last_collection: latest ? new Date(latest.timestamp_ms).toISOString() : null,
        collectors: latest?.collectors ?? [],
        container_engine_up: latest?.containers ? latest.containers.engine_up : null,
      },
      detection,
      healing,
    };
  }

  #uptime(): number {
    return this.#startedAt === 0 ? 0 : Math.round((Date.now() - this.#startedAt) / 100) / 10;
  }

  /**
   * Whether the agent works: running, and its collection loop ticked in the last three
   * intervals; degraded while the healer refuses work. A target that does not answer is
   * not the agent's ill health: it shows in its own series (`aegis_probe_success`,
   * `aegis_container_engine_up`), as blackbox_exporter reports a failing target.
   */
  #health(): Health {
    if (this.#status !== 'running') return { healthy: false, reason: `agent is ${this.#status}` };
    const healer = this.#healer.health();
    if (!healer.healthy) return { ...healer, degraded: true };
    const latest = this.#loop.latest;
    const maxAgeMs = 3 * this.config.monitoring.collection_interval * 1000;
    if (!latest || Date.now() - latest.timestamp_ms > maxAgeMs) {
      return { healthy: false, reason: 'the collection loop has not ticked in three intervals' };
    }
    return { healthy: true };
  }
}

/** Basic authentication, loaded only when configured: bcryptjs costs 40 ms of start-up. */
async function basicAuth(users: ConstructorParameters<typeof BasicAuth>[0]): Promise<BasicAuth> {
  const { BasicAuth } = await import('./http/basic-auth.js');
  return new BasicAuth(users);
}

/** Runs `fn` with a started sentinel and stops it afterwards, whatever `fn` does. */
export async function withSentinel<T>(
  config: SentinelConfigInput,
  fn: (sentinel: AegisSentinel) => Promise<T>,
  options: SentinelOptions = {},
): Promise<T> {
  const sentinel = new AegisSentinel(config, options);
  try {
    await sentinel.start();
    return await fn(sentinel);
  } finally {
    await sentinel.stop();
  }
}
