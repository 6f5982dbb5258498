/**
 * Building a dockerode client from a Docker host string, as the docker CLI reads DOCKER_HOST.
 * dockerode is loaded with the first client, not at start-up: it costs a quarter of a
 * second and megabytes of heap to load (docs/benchmarks.md#npm-run-benchagent), which a
 * host without containers, and an agent that never restarts one, never pays.
 */
import { existsSync } from 'node:fs';
import type Docker from 'dockerode';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** The Docker host to use: the configured one, else $DOCKER_HOST, else the default socket. */
export function resolveDockerHost(
  configured: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return configured ?? env.DOCKER_HOST ?? DEFAULT_DOCKER_HOST;
}

/** The socket path of a `unix://` or bare-path host, undefined for a TCP one. */
function socketPath(host: string): string | undefined {
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  return host.startsWith('/') ? host : undefined;
}

/** A client certificate and the CA that signed the engine's, as the docker CLI's DOCKER_CERT_PATH holds them. */
export interface DockerTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/**
 * dockerode options for `unix:///path`, a bare `/path`, `tcp://host:port` or
 * `http(s)://host:port`. `timeoutMs` bounds every request, so a hung engine fails the
 * call instead of holding it forever. With `tls`, a TCP host is reached over TLS with
 * that client certificate, verified against that CA (as DOCKER_TLS_VERIFY=1 does).
 */
export function dockerOptions(
  host: string,
  timeoutMs: number,
  tls?: DockerTls,
): Docker.DockerOptions {
  const path = socketPath(host);
  if (path !== undefined) return { socketPath: path, timeout: timeoutMs };
  const url = new URL(host.replace(/^tcp:\/\//, tls ? 'https://' : 'http://'));
  const secure = url.protocol === 'https:';
  return {
    protocol: secure ? 'https' : 'http',
    host: url.hostname,
    port: Number(url.port || (secure ? 2376 : 2375)),
    timeout: timeoutMs,
    ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
  };
}

/** Whether the host is a unix socket that does not exist: no engine there to ask. */
export function dockerSocketMissing(host: string): boolean {
  const path = socketPath(host);
  return path !== undefined && !existsSync(path);
}

let dockerode: Promise<typeof Docker> | undefined;

/** Loads dockerode once; later calls share the first load. */
export function loadDockerode(): Promise<typeof Docker> {
  dockerode ??= import('dockerode').then((module) => module.default);
  return dockerode;
}

export async function createDockerClient(
  host: string,
  timeoutMs: number,
  tls?: DockerTls,
): Promise<Docker> {
  const DockerClient = await loadDockerode();
  return new DockerClient(dockerOptions(host, timeoutMs, tls));
}
