/**
 * What holds healing back for people: the maintenance switch (all healing paused) and
 * Alertmanager's silences (the agent's own alerts that people silenced). The planner asks
 * `hold(alert)` of every firing alert; the dispatcher asks `paused` of queued work.
 */
import type { RecoveryConfig } from '../../config/recovery.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../dispatch/clock.js';
import type { HealMetrics } from '../heal-metrics.js';
import type { MaintenanceState } from '../receive/maintenance-handler.js';
import type { HealAlert, Hold } from './planner.js';
import { AlertmanagerSilences } from './silences.js';

export interface HoldsOptions {
  config: Pick<
    RecoveryConfig,
    'maintenance' | 'alertmanager_url' | 'alertmanager_silence_refresh' | 'announce_timeout'
  >;
  metrics: HealMetrics;
  logger: Logger;
  clock: Clock;
}

export class Holds {
  readonly #options: HoldsOptions;
  readonly #silences: AlertmanagerSilences | undefined;
  /** While healing is paused: since when and why. */
  #maintenance: { since: string; reason: string | null } | undefined;

  constructor(options: HoldsOptions) {
    this.#options = options;
    const { config, logger, clock } = options;
    if (config.maintenance) {
      this.#maintenance = { since: new Date(clock.now()).toISOString(), reason: null };
    }
    options.metrics.maintenance.set(config.maintenance ? 1 : 0);
    if (config.alertmanager_url !== undefined) {
      this.#silences = new AlertmanagerSilences({
        url: config.alertmanager_url,
        refreshMs: config.alertmanager_silence_refresh * 1000,
        timeoutMs: config.announce_timeout * 1000,
        logger,
        clock,
      });
    }
  }

  /** Reads the silences once (at most one timeout), then keeps them fresh. */
  async start(): Promise<void> {
    await this.#silences?.start();
  }

  stop(): void {
    this.#silences?.stop();
  }

  get paused(): boolean {
    return this.#maintenance !== undefined;
  }

  maintenanceState(): MaintenanceState {
    return {
      maintenance: this.#maintenance !== undefined,
      since: this.#maintenance?.since ?? null,
      reason: this.#maintenance?.reason ?? null,
    };
  }

  /** Pauses (`paused`) or resumes all healing; `by` says who, for the log. */
  setMaintenance(paused: boolean, reason: string | null, by: string): MaintenanceState {
    if (paused !== this.paused) {
      this.#maintenance = paused
        ? { since: new Date(this.#options.clock.now()).toISOString(), reason }
        : undefined;
      this.#options.metrics.maintenance.set(paused ? 1 : 0);
      this.#options.logger.warn(
        { event: paused ? 'heal_maintenance_started' : 'heal_maintenance_ended', reason, by },
        paused ? 'healing paused for maintenance' : 'healing resumed after maintenance',
      );
    }
    return this.maintenanceState();
  }

  /** Holds every alert while paused, and the agent's own alerts that Alertmanager silences. */
  hold(alert: HealAlert): Hold | undefined {
    if (this.#maintenance) {
      const why = this.#maintenance.reason === null ? '' : `: ${this.#maintenance.reason}`;
      return {
        skip: 'maintenance',
        detail: `healing is paused for maintenance since ${this.#maintenance.since}${why}`,
      };
    }
    if (alert.source !== 'local') return undefined;
    const silence = this.#silences?.silencing(alert.labels);
    if (!silence) return undefined;
    return {
      skip: 'silenced',
      detail: `silenced in Alertmanager by ${silence.id} (${silence.createdBy}: ${silence.comment}) until ${new Date(silence.endsAtMs).toISOString()}`,
    };
  }
}
