/**
 * The container collector: state, health, restarts, start time, CPU and memory of
 * every container, through the Docker Engine API (dockerode). An unreachable engine
 * is reported as `engine_up: false` with no containers, never as a thrown error, so
 * a host without Docker still serves its other metrics. The client is built on the
 * first round that finds an engine to ask: a missing socket costs no request, and
 * dockerode is not even loaded.
 */
import type Docker from 'dockerode';
import { mapWithConcurrency } from '../util/map-with-concurrency.js';
import {
  CONTAINER_HEALTH,
  CONTAINER_STATES,
  type ContainerHealth,
  type ContainerState,
  type ContainerStats,
  type ContainersSnapshot,
} from './snapshot.js';

export interface ContainerCollectorOptions {
  /**
   * The client, or how to build it on first use; a builder that returns undefined means
   * no engine is there this round (a unix socket that does not exist).
   */
  docker: Docker | (() => Docker | undefined | Promise<Docker | undefined>);
  /** How many inspect/stats requests run at once. */
  concurrency: number;
}

export class ContainerCollector {
  readonly #connect: () => Docker | undefined | Promise<Docker | undefined>;
  readonly #concurrency: number;
  #docker: Docker | undefined;

  constructor(options: ContainerCollectorOptions) {
    const { docker } = options;
    this.#connect = typeof docker === 'function' ? docker : () => docker;
    this.#concurrency = options.concurrency;
  }

  async collect(): Promise<ContainersSnapshot> {
    const docker = (this.#docker ??= await this.#connect());
    if (docker === undefined) return { engine_up: false, containers: [] };
    let listed: Docker.ContainerInfo[];
    try {
      listed = await docker.listContainers({ all: true });
    } catch {
      return { engine_up: false, containers: [] };
    }
    const containers = await mapWithConcurrency(listed, this.#concurrency, (info) =>
      this.#describe(docker, info),
    );
    return {
      engine_up: true,
      // A container removed between list and inspect is simply gone this round.
      containers: containers.filter((entry): entry is ContainerStats => entry !== undefined),
    };
  }

  async #describe(docker: Docker, info: Docker.ContainerInfo): Promise<ContainerStats | undefined> {
    const container = docker.getContainer(info.Id);
    let inspect: Docker.ContainerInspectInfo;
    try {
      inspect = await container.inspect();
    } catch {
      return undefined;
    }
    const state = toState(inspect.State.Status);
    const stats: ContainerStats = {
      id: inspect.Id,
      name: inspect.Name.replace(/^\//, ''),
      image: info.Image,
      state,
      health: toHealth(inspect.State.Health?.Status),
      restart_count: inspect.RestartCount ?? 0,
      started_at_seconds: toUnixSeconds(inspect.State.StartedAt),
      labels: inspect.Config.Labels ?? {},
    };
    if (state === 'running') {
      try {
        const usage = (await container.stats({ stream: false, 'one-shot': true } as {
          stream: false;
        })) as Docker.ContainerStats;
        const cpuNanos = usage.cpu_stats?.cpu_usage?.total_usage;
        if (typeof cpuNanos === 'number') stats.cpu_seconds = cpuNanos / 1e9;
        const memory = usage.memory_stats?.usage;
        if (typeof memory === 'number') stats.memory_bytes = memory;
      } catch {
        // Stats are best effort: state and health are still worth reporting without them.
      }
    }
    return stats;
  }
}

function toState(status: string): ContainerState {
  // podman reports "stopped" and "configured" where Docker says "exited" and "created".
  const normalised = status === 'stopped' ? 'exited' : status === 'configured' ? 'created' : status;
  return (CONTAINER_STATES as readonly string[]).includes(normalised)
    ? (normalised as ContainerState)
    : 'dead';
}

function toHealth(status: string | undefined): ContainerHealth {
  if (!status) return 'none';
  return (CONTAINER_HEALTH as readonly string[]).includes(status)
    ? (status as ContainerHealth)
    : 'none';
}

function toUnixSeconds(timestamp: string | undefined): number {
  if (!timestamp || timestamp.startsWith('0001-')) return 0;
  const ms = Date.parse(timestamp);
  return Number.isNaN(ms) ? 0 : ms / 1000;
}
