/**
 * The endpoint collector: the configured HTTP endpoints and how to probe one of them.
 * The collection loop gives every endpoint its own schedule, spread across the
 * interval, and its own timeout, so a hanging endpoint fails alone and never delays
 * the others' results nor the host's. Mirrors blackbox_exporter's http prober:
 * success, duration, status.
 */
import type { EndpointConfig } from '../config/monitoring.js';
import { probeHttp } from './http-probe.js';
import type { ProbeResult } from './snapshot.js';

export interface EndpointCollectorOptions {
  endpoints: readonly EndpointConfig[];
  /** Timeout of an endpoint that sets none, seconds. */
  defaultTimeout: number;
}

export class EndpointCollector {
  readonly endpoints: readonly EndpointConfig[];
  readonly #defaultTimeout: number;

  constructor(options: EndpointCollectorOptions) {
    this.endpoints = options.endpoints;
    this.#defaultTimeout = options.defaultTimeout;
  }

  /** Probes one endpoint under its own timeout; `signal` ends it early (the agent stopping). */
  probe(endpoint: EndpointConfig, signal?: AbortSignal): Promise<ProbeResult> {
    return probeHttp(endpoint, endpoint.timeout ?? this.#defaultTimeout, signal);
  }
}
