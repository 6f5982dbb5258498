/** The `web` section: where the HTTP server listens, and how it is secured. */
import { z } from 'zod';
import { duration } from './duration.js';

/** Default port 8737: outside the 9100-9999 range that Prometheus' port allocations fill. */
const DEFAULT_PORT = 8737;

export const webSchema = z
  .strictObject({
    /** `HOST:PORT` or `:PORT` (all interfaces), as exporters take it. Port 0 picks a free one. @default :8737 */
    listen_address: z
      .string()
      .regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]*):\d{1,5}$/, 'expected HOST:PORT or :PORT')
      .default(`:${DEFAULT_PORT}`),
    /** Path under which the metrics are exposed (node_exporter's `--web.telemetry-path`). @default /metrics */
    telemetry_path: z
      .string()
      .regex(/^\/[^\s?#]*$/, 'expected a path starting with /, like /metrics')
      .refine((path) => !['/', '/status', '/healthz', '/heal'].includes(path), {
        error: (issue) => `${String(issue.input)} is already one of the agent's own paths`,
      })
      .default('/metrics'),
    /**
     * TLS and basic authentication in Prometheus exporter-toolkit's web configuration format
     * (`tls_server_config`, `basic_auth_users`, `http_server_config`); the flag is
     * `--web.config.file`. @default none (plain HTTP, no authentication)
     */
    config_file: z.string().min(1).optional(),
    /** Deprecated: use `tls_server_config.cert_file` in `config_file`. PEM certificate; with `tls_key_file`, HTTPS only. @default none */
    tls_cert_file: z.string().min(1).optional(),
    /** Deprecated: use `tls_server_config.key_file` in `config_file`. PEM private key for `tls_cert_file`. @default none */
    tls_key_file: z.string().min(1).optional(),
    /**
     * Longest time a client may take to send a whole request, headers and body; past it
     * the agent answers 408 and closes the connection. @default 30s
     */
    request_timeout: duration({ min: 0.01, max: 3600 }).default(30),
    /** Longest time a client may take to send a request's headers; at most `request_timeout`. @default 10s */
    headers_timeout: duration({ min: 0.01, max: 3600 }).default(10),
    /**
     * Longest silence on a connection while a request is read or answered (a body that
     * stalls, say); past it the connection is closed. @default 30s
     */
    body_timeout: duration({ min: 0.01, max: 3600 }).default(30),
    /**
     * How long an idle keep-alive connection is kept open for the next request; longer
     * than Prometheus' and Alertmanager's own idle timeouts, so they close first. @default 65s
     */
    keep_alive_timeout: duration({ min: 0.01, max: 3600 }).default(65),
    /** Most connections open at once; further ones are closed as soon as they are accepted. @default 512 */
    max_connections: z.number().int().min(1).max(1_000_000).default(512),
  })
  .refine((web) => web.headers_timeout <= web.request_timeout, {
    message: 'must not be longer than request_timeout',
    path: ['headers_timeout'],
  })
  .refine((web) => (web.tls_cert_file === undefined) === (web.tls_key_file === undefined), {
    message: 'tls_cert_file and tls_key_file must be given together',
    path: ['tls_cert_file'],
  })
  .refine((web) => web.config_file === undefined || web.tls_cert_file === undefined, {
    message:
      'deprecated, and not together with config_file: move it to tls_server_config.cert_file (and tls_key_file to key_file) in that file',
    path: ['tls_cert_file'],
  });

export type WebConfig = z.output<typeof webSchema>;

/** Splits a listen address into host and port; an empty host means all interfaces. */
export function parseListenAddress(address: string): { host: string | undefined; port: number } {
  const index = address.lastIndexOf(':');
  const rawHost = address.slice(0, index);
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  return { host: host === '' ? undefined : host, port: Number(address.slice(index + 1)) };
}
