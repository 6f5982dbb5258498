/** From the decision recorder to the announcer: which decisions and circuits people hear about. */
import type { RecoveryConfig } from '../../config/recovery.js';
import type { Logger } from '../../logger.js';
import type { AuditEntry } from '../audit/audit-log.js';
import { isLastAttempt, type Job } from '../dispatch/job.js';
import type { HealMetrics } from '../heal-metrics.js';
import { announcedEvent, announcement } from './announcement.js';
import { Announcer } from './announcer.js';

/**
 * The announcements `config` asks for: to `alertmanager_url`'s v2 API (with `announce`)
 * and to `announce_webhook_url`; undefined when neither is configured.
 */
export function announcementsFor(
  config: RecoveryConfig,
  metrics: HealMetrics,
  logger: Logger,
): HealAnnouncements | undefined {
  const urls = [
    ...(config.alertmanager_url !== undefined && config.announce
      ? [`${config.alertmanager_url}/api/v2/alerts`]
      : []),
    ...(config.announce_webhook_url === undefined ? [] : [config.announce_webhook_url]),
  ];
  if (urls.length === 0) return undefined;
  const announcer = new Announcer({
    urls,
    timeoutMs: config.announce_timeout * 1000,
    queueSize: config.announce_queue_size,
    metrics,
    logger,
  });
  return new HealAnnouncements(announcer, config.default_max_attempts);
}

export class HealAnnouncements {
  readonly #announcer: Announcer;
  readonly #defaultMaxAttempts: number;

  constructor(announcer: Announcer, defaultMaxAttempts: number) {
    this.#announcer = announcer;
    this.#defaultMaxAttempts = defaultMaxAttempts;
  }

  /** Announces an action taken, failed or given up; other decisions are not announced. */
  decision(entry: AuditEntry, job: Job): void {
    const event = announcedEvent(entry, isLastAttempt(job, this.#defaultMaxAttempts));
    if (event) this.#announcer.announce(announcement(event, entry));
  }

  /** Announces the circuit `failed` (the attempt's entry) opened, until `untilMs`. */
  circuitOpened(failed: AuditEntry, untilMs: number): void {
    this.#announcer.announce(announcement('circuit_open', failed, new Date(untilMs).toISOString()));
  }

  flush(): Promise<void> {
    return this.#announcer.flush();
  }
}
