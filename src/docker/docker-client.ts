/** Building a dockerode client from a Docker host string, as the docker CLI reads DOCKER_HOST. */
import Docker from 'dockerode';

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** The Docker host to use: the configured one, else $DOCKER_HOST, else the default socket. */
export function resolveDockerHost(
  configured: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return configured ?? env.DOCKER_HOST ?? DEFAULT_DOCKER_HOST;
}

/**
 * dockerode options for `unix:///path`, a bare `/path`, `tcp://host:port` or
 * `http(s)://host:port`. `timeoutMs` bounds every request, so a hung engine fails the
 * call instead of holding it forever.
 */
export function dockerOptions(host: string, timeoutMs: number): Docker.DockerOptions {
  if (host.startsWith('unix://'))
    return { socketPath: host.slice('unix://'.length), timeout: timeoutMs };
  if (host.startsWith('/')) return { socketPath: host, timeout: timeoutMs };
  const url = new URL(host.replace(/^tcp:\/\//, 'http://'));
  return {
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 2376 : 2375)),
    timeout: timeoutMs,
  };
}

export function createDockerClient(host: string, timeoutMs: number): Docker {
  return new Docker(dockerOptions(host, timeoutMs));
}
