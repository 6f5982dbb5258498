/**
 * Did a person stop this container, or did it die on its own? The Docker API has no
 * field for it: Docker keeps `HasBeenManuallyStopped` to itself (its restart policy reads
 * it), and podman 4.3 keeps `StoppedByUser` in its database, not in inspect. Exit codes
 * cannot tell either: a `docker stop` that times out, the kernel's OOM killer outside the
 * container's limit and a `kill -9` from the host all leave 137.
 *
 * What the engines do record is the request, in their event log. The rule, applied to
 * the container's events since its last start (`State.StartedAt`):
 *
 * 1. `State.OOMKilled`: it died on its own, whatever else happened.
 * 2. A `stop` or `kill` event: a person stopped it. Docker logs `kill` (the signal) and
 *    `stop` for `docker stop`, `kill` for `docker kill`; podman logs `kill` for
 *    `podman kill`, and for `podman stop` a `stop` only sometimes.
 * 3. Two `cleanup` events: a person stopped it with podman, which cleans the container up
 *    itself once it exits and then again when conmon's exit command runs; a container that
 *    exits on its own gets only conmon's.
 * 4. Otherwise it died on its own: `die` alone.
 *
 * The engine writes the second cleanup a few hundred milliseconds after the exit, so the
 * events are read only once the exit is `SETTLE_MS` old.
 */
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';

/** How old an exit must be before its events are read (podman's second cleanup lags it). */
export const SETTLE_MS = 2_000;

/** The part of an engine event this rule reads. */
export interface EngineEvent {
  Action: string;
  /** Unix nanoseconds. */
  timeNano: number;
}

export interface ExitVerdict {
  byUser: boolean;
  /** What the verdict rests on, for the audit. */
  evidence: string;
}

/** Applies the rule to a stopped container's events since its last start. */
export function judgeExit(oomKilled: boolean, events: readonly EngineEvent[]): ExitVerdict {
  if (oomKilled) return { byUser: false, evidence: 'the engine says it was OOM-killed' };
  const request = events.find((event) => event.Action === 'stop' || event.Action === 'kill');
  if (request) {
    return {
      byUser: true,
      evidence: `the engine logged a ${request.Action} request at ${new Date(request.timeNano / 1e6).toISOString()}`,
    };
  }
  const cleanups = events.filter((event) => event.Action === 'cleanup').length;
  if (cleanups >= 2) {
    return { byUser: true, evidence: `the engine cleaned it up ${cleanups} times (podman stop)` };
  }
  return { byUser: false, evidence: 'the engine logged no stop or kill request since it started' };
}

/**
 * Reads the container's events since `startedAt` and judges its exit. Waits until the
 * exit (`finishedAt`) is SETTLE_MS old first. Rejects when the engine cannot answer.
 */
export async function readExitVerdict(
  docker: Docker,
  containerId: string,
  state: { OOMKilled: boolean; StartedAt: string; FinishedAt: string },
  signal: AbortSignal,
): Promise<ExitVerdict> {
  if (state.OOMKilled) return judgeExit(true, []);
  const sinceMs = Date.parse(state.StartedAt);
  const settleMs = Date.parse(state.FinishedAt) + SETTLE_MS - Date.now();
  if (settleMs > 0) await sleep(settleMs, undefined, { signal });
  // `until` in whole seconds, rounded up: the engine closes the stream at that time.
  const stream = (await docker.getEvents({
    since: Math.floor(sinceMs / 1000),
    until: Math.ceil(Date.now() / 1000),
    filters: { type: ['container'], container: [containerId] },
    abortSignal: signal,
  } as Parameters<Docker['getEvents']>[0])) as unknown as AsyncIterable<Buffer>;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  const events: EngineEvent[] = [];
  for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
    if (line.trim() === '') continue;
    const event = JSON.parse(line) as Partial<EngineEvent> & { id?: string };
    if (typeof event.Action !== 'string' || typeof event.timeNano !== 'number') continue;
    // Only what happened after the last start: the previous run's stop does not count.
    if (event.timeNano / 1e6 >= sinceMs) events.push(event as EngineEvent);
  }
  return judgeExit(false, events);
}
