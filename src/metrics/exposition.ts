/**
 * Rendering the registry for a scrape: the Prometheus text format, or OpenMetrics when
 * the scraper's Accept header asks for it (as Prometheus does when configured to).
 */
import {
  Registry,
  type Metric,
  type OpenMetricsContentType,
  type PrometheusContentType,
} from 'prom-client';

// prom-client's typings omit the constructor's content-type argument and type
// getMetricsAsArray() as plain objects, though both are the real thing at run time.
const OpenMetricsRegistry = Registry as unknown as new (
  contentType: OpenMetricsContentType,
) => Registry<OpenMetricsContentType>;

export interface Exposition {
  contentType: string;
  body: string;
}

export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && /application\/openmetrics-text/i.test(accept);
}

/**
 * The OpenMetrics view shares the metric objects of the main registry; it is rebuilt
 * when metrics were added since the last OpenMetrics scrape (e.g. a late-registered
 * detector metric), which is a cheap comparison of counts.
 */
export class ExpositionRenderer {
  readonly #registry: Registry<PrometheusContentType>;
  #openMetrics: Registry<OpenMetricsContentType> | undefined;
  #openMetricsSize = -1;

  constructor(registry: Registry<PrometheusContentType>) {
    this.#registry = registry;
  }

  async render(accept: string | undefined): Promise<Exposition> {
    if (!wantsOpenMetrics(accept)) {
      return { contentType: this.#registry.contentType, body: await this.#registry.metrics() };
    }
    const registry = this.#openMetricsRegistry();
    return { contentType: registry.contentType, body: await registry.metrics() };
  }

  #openMetricsRegistry(): Registry<OpenMetricsContentType> {
    const metrics = this.#registry.getMetricsAsArray();
    if (!this.#openMetrics || this.#openMetricsSize !== metrics.length) {
      const registry = new OpenMetricsRegistry(Registry.OPENMETRICS_CONTENT_TYPE);
      for (const metric of metrics) registry.registerMetric(metric as unknown as Metric);
      this.#openMetrics = registry;
      this.#openMetricsSize = metrics.length;
    }
    return this.#openMetrics;
  }
}
