import type { PodmanEngine } from '../../support/podman.js';
import { freeLoopbackPort } from '../../support/ports.js';

export interface ContainerState {
  Running: boolean;
  Status: string;
  StartedAt: string;
}

/** The engine's own view of a container, not the agent's. */
export async function containerState(engine: PodmanEngine, name: string): Promise<ContainerState> {
  const { stdout } = await engine.podman(['inspect', '--format', '{{json .State}}', name]);
  return JSON.parse(stdout) as ContainerState;
}

/**
 * Runs an opted-in busybox httpd named `name` serving `wwwDir` (read-only) on a free
 * loopback port; resolves to the port.
 */
export async function runWebContainer(
  engine: PodmanEngine,
  name: string,
  wwwDir: string,
): Promise<number> {
  const port = await freeLoopbackPort();
  await engine.run({
    name,
    labels: { 'aegis.autoheal': 'true' },
    cmd: ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', '/www'],
    volumes: [`${wwwDir}:/www:ro`],
  });
  return port;
}
