import type { PodmanEngine } from '../../support/podman.js';

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
