/**
 * `docker_restart`: restart a container through the Docker API, only when it carries the
 * opt-in label, then wait until it runs again (with a new start time) and, if it has a
 * healthcheck, is healthy. The planner picks the endpoint per alert from its `instance` label.
 *
 * A container people want left alone is not touched: one carrying the opt-out label, and
 * one that is down because a person stopped it (`docker stop`, `docker kill`; the rule is
 * in stop-evidence.ts). Only containers that died on their own or turned unhealthy are
 * restarted.
 */
import type Docker from 'dockerode';
import { createDockerClient, type DockerTls } from '../../docker/docker-client.js';
import { NotAllowedError } from '../errors.js';
import type { ActionPlan, HealAction, PreparedAttempt } from './action.js';
import { pollUntil } from './poll.js';
import { readExitVerdict } from './stop-evidence.js';

/**
 * How long a restarted container must be seen running, with the same new start time,
 * before the restart counts as verified. A container that dies straight after starting
 * is caught in its first milliseconds as "running"; without this window such a restart
 * loop would be verified as healed and its circuit would never open.
 */
const RUNNING_STABLE_MS = 1000;

export interface DockerRestartOptions {
  /** The host for plans that name none (their instance is not in `docker_endpoints`). */
  defaultHost: string;
  /** `KEY=VALUE` the container must carry. */
  optInLabel: string;
  /** `KEY=VALUE` that keeps a container from ever being restarted, opt-in or not. */
  optOutLabel: string;
  /** `t` of the restart: seconds between SIGTERM and SIGKILL. */
  stopTimeoutSeconds: number;
  /** Bound of each API call. */
  requestTimeoutMs: number;
  /** The client certificate for TCP endpoints (`recovery.docker_tls`). */
  tls?: DockerTls;
}

export class DockerRestartAction implements HealAction {
  readonly #options: DockerRestartOptions;
  readonly #clients = new Map<string, Docker>();
  readonly #optIn: [string, string];
  readonly #optOut: [string, string];

  constructor(options: DockerRestartOptions) {
    this.#options = options;
    this.#optIn = splitLabel(options.optInLabel);
    this.#optOut = splitLabel(options.optOutLabel);
  }

  /** The first one loads dockerode, within the first attempt's timeout. */
  async #client(host: string): Promise<Docker> {
    let client = this.#clients.get(host);
    if (!client) {
      client = await createDockerClient(host, this.#options.requestTimeoutMs, this.#options.tls);
      this.#clients.set(host, client);
    }
    return client;
  }

  async prepare(plan: ActionPlan, signal: AbortSignal): Promise<PreparedAttempt> {
    const host = plan.dockerHost ?? this.#options.defaultHost;
    const docker = await this.#client(host);
    const container = docker.getContainer(plan.target);
    const before = await container.inspect({ abortSignal: signal });
    const labels = before.Config.Labels ?? {};
    if (labels[this.#optOut[0]] === this.#optOut[1]) {
      throw new NotAllowedError(
        `container ${plan.target} on ${host} carries the opt-out label ${this.#options.optOutLabel}`,
        'opted_out',
      );
    }
    if (labels[this.#optIn[0]] !== this.#optIn[1]) {
      throw new NotAllowedError(
        `container ${plan.target} on ${host} does not carry the opt-in label ${this.#options.optInLabel}`,
      );
    }
    // A container that never ran (`created`) or is paused was not stopped: only an exit is
    // judged (podman says `stopped` between the exit and its cleanup).
    if (['exited', 'dead', 'stopped'].includes(before.State.Status)) {
      const verdict = await readExitVerdict(docker, before.Id, before.State, signal);
      if (verdict.byUser) {
        throw new NotAllowedError(
          `container ${plan.target} on ${host} was stopped by a person (${verdict.evidence}): left alone`,
          'stopped_by_user',
        );
      }
    }
    const stopTimeout = this.#options.stopTimeoutSeconds;
    return {
      run: async (runSignal) => {
        await container.restart({ t: stopTimeout, abortSignal: runSignal });
      },
      verify: (deadlineMs, verifySignal) => {
        /** The new start time first seen running, and when. */
        let seen: { startedAt: string; atMs: number } | undefined;
        return pollUntil(
          async () => {
            const { State: state } = await container.inspect({ abortSignal: verifySignal });
            if (!state.Running) return `container ${plan.target} is ${state.Status}, not running`;
            if (state.StartedAt === before.State.StartedAt) {
              return `container ${plan.target} was not restarted (start time ${state.StartedAt} unchanged)`;
            }
            if (seen?.startedAt !== state.StartedAt)
              seen = { startedAt: state.StartedAt, atMs: Date.now() };
            if (Date.now() - seen.atMs < RUNNING_STABLE_MS) {
              return `container ${plan.target} started at ${state.StartedAt} but has not stayed up ${RUNNING_STABLE_MS} ms yet`;
            }
            const health = state.Health?.Status;
            if (health !== undefined && health !== '' && health !== 'healthy') {
              return `container ${plan.target} runs but is ${health}`;
            }
            return undefined;
          },
          deadlineMs,
          verifySignal,
        );
      },
    };
  }
}

function splitLabel(label: string): [string, string] {
  const equals = label.indexOf('=');
  return [label.slice(0, equals), label.slice(equals + 1)];
}
