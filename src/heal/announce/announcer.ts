/**
 * Sends announcements without ever holding up healing: `announce()` only queues (a
 * bounded queue; when full the oldest is dropped), and one sender posts the queue in
 * batches, each request bounded by a timeout. A failure is logged and counted, never
 * retried into a backlog: Alertmanager unreachable must not grow the agent's memory.
 */
import type { Logger } from '../../logger.js';
import type { HealMetrics } from '../heal-metrics.js';
import type { PostableAlert } from './announcement.js';

/** Most alerts in one request. */
const BATCH = 100;

export interface AnnouncerOptions {
  /** Where alerts are posted: Alertmanager's `/api/v2/alerts`, and optionally a plain webhook. */
  urls: readonly string[];
  timeoutMs: number;
  queueSize: number;
  metrics: HealMetrics;
  logger: Logger;
}

export class Announcer {
  readonly #options: AnnouncerOptions;
  readonly #queue: PostableAlert[] = [];
  #sending: Promise<void> | undefined;

  constructor(options: AnnouncerOptions) {
    this.#options = options;
  }

  /** Queues `alert` and returns at once. */
  announce(alert: PostableAlert): void {
    if (this.#queue.length >= this.#options.queueSize) {
      this.#queue.shift();
      this.#options.metrics.announcements.inc({ result: 'dropped' });
      this.#options.logger.warn(
        { event: 'heal_announce_dropped', queue_size: this.#options.queueSize },
        'announcement queue full: the oldest announcement was dropped',
      );
    }
    this.#queue.push(alert);
    this.#sending ??= this.#drain().finally(() => {
      this.#sending = undefined;
    });
  }

  /** Resolves once the queue is sent (or failed), or after one request timeout at most: for shutdown. */
  async flush(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#sending,
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.#options.timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  async #drain(): Promise<void> {
    // Let the decisions of this event-loop turn join the batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, BATCH);
      const body = JSON.stringify(batch);
      await Promise.all(this.#options.urls.map((url) => this.#post(url, body, batch.length)));
    }
  }

  async #post(url: string, body: string, count: number): Promise<void> {
    const { metrics, logger, timeoutMs } = this.#options;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`answered ${response.status}: ${text.slice(0, 200)}`);
      metrics.announcements.inc({ result: 'sent' }, count);
    } catch (error) {
      metrics.announcements.inc({ result: 'failed' }, count);
      logger.warn(
        { event: 'heal_announce_failed', url, alerts: count, err: error },
        `could not announce ${count} healing event(s) to ${url}: ${(error as Error).message}`,
      );
    }
  }
}
