/** Building a dockerode client from a Docker host string, as the docker CLI reads DOCKER_HOST. */
import { existsSync } from 'node:fs';
import Docker from 'dockerode';

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

/**
 * dockerode options for `unix:///path`, a bare `/path`, `tcp://host:port` or
 * `http(s)://host:port`. `timeoutMs` bounds every request, so a hung engine fails the
 * call instead of holding it forever.
 */
export function dockerOptions(host: string, timeoutMs: number): Docker.DockerOptions {
  const path = socketPath(host);
  if (path !== undefined) return { socketPath: path, timeout: timeoutMs };
  const url = new URL(host.replace(/^tcp:\/\//, 'http://'));
  return {
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 2376 : 2375)),
    timeout: timeoutMs,
  };
}

/** Whether the host is a unix socket that does not exist: no engine there to ask. */
export function dockerSocketMissing(host: string): boolean {
  const path = socketPath(host);
  return path !== undefined && !existsSync(path);
}

export function createDockerClient(host: string, timeoutMs: number): Docker {
  return new Docker(dockerOptions(host, timeoutMs));
}
