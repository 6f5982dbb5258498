/**
 * The endpoint collector: probes every configured HTTP endpoint concurrently, each
 * bounded by its own timeout, so a hanging endpoint fails alone and never delays the
 * others' results. Mirrors blackbox_exporter's http prober: success, duration, status.
 */
import type { EndpointConfig } from '../config/monitoring.js';
import type { ProbeResult } from './snapshot.js';

export interface EndpointCollectorOptions {
  endpoints: readonly EndpointConfig[];
  /** Timeout of an endpoint that sets none, seconds. */
  defaultTimeout: number;
}

export class EndpointCollector {
  readonly #endpoints: readonly EndpointConfig[];
  readonly #defaultTimeout: number;

  constructor(options: EndpointCollectorOptions) {
    this.#endpoints = options.endpoints;
    this.#defaultTimeout = options.defaultTimeout;
  }

  collect(): Promise<ProbeResult[]> {
    return Promise.all(this.#endpoints.map((endpoint) => this.#probe(endpoint)));
  }

  async #probe(endpoint: EndpointConfig): Promise<ProbeResult> {
    const timeoutSeconds = endpoint.timeout ?? this.#defaultTimeout;
    const target = endpoint.name ?? endpoint.url;
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    try {
      const response = await fetch(endpoint.url, {
        method: endpoint.method,
        redirect: 'follow',
        signal: AbortSignal.timeout(timeoutSeconds * 1000),
        headers: { 'user-agent': 'aegis-sentinel-probe' },
      });
      // Read the body so the duration covers the whole response, as blackbox_exporter's does.
      await response.arrayBuffer();
      const success = endpoint.valid_status_codes
        ? endpoint.valid_status_codes.includes(response.status)
        : response.status >= 200 && response.status < 300;
      const result: ProbeResult = {
        target,
        url: endpoint.url,
        success,
        duration_seconds: elapsed(),
        status_code: response.status,
      };
      if (!success) result.error = `unexpected status ${response.status}`;
      return result;
    } catch (error) {
      return {
        target,
        url: endpoint.url,
        success: false,
        duration_seconds: elapsed(),
        status_code: 0,
        error: describeFetchError(error, timeoutSeconds),
      };
    }
  }
}

function describeFetchError(error: unknown, timeoutSeconds: number): string {
  if (
    error instanceof DOMException &&
    (error.name === 'TimeoutError' || error.name === 'AbortError')
  ) {
    return `timed out after ${timeoutSeconds}s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}
