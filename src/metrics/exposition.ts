/**
 * Rendering the registry for a scrape: the Prometheus text format, or OpenMetrics when
 * the scraper's Accept header asks for it (as Prometheus does when configured to).
 */
import type { Registry } from 'prom-client';
import { OPENMETRICS_CONTENT_TYPE, toOpenMetrics } from './openmetrics.js';

export interface Exposition {
  contentType: string;
  body: string;
}

export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

export class ExpositionRenderer {
  readonly #registry: Registry;

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  async render(accept: string | undefined): Promise<Exposition> {
    const text = await this.#registry.metrics();
    return wantsOpenMetrics(accept)
      ? { contentType: OPENMETRICS_CONTENT_TYPE, body: toOpenMetrics(text) }
      : { contentType: this.#registry.contentType, body: text };
  }
}
