// A server process for tests that lives in a private folder (its config, data and
// logs): started, waited for until an HTTP URL answers 2xx, and stopped once, which
// ends the process and removes the folder. Prometheus, Alertmanager and the e2e
// agents are started this way.
import { rm } from 'node:fs/promises';
import { type DaemonProcess, spawnDaemon, waitUntilReady } from './processes.js';

export interface PrivateDaemon {
  daemon: DaemonProcess;
  /** Ends the process and removes its folder. Idempotent. */
  stop(): Promise<void>;
}

export interface PrivateDaemonOptions {
  /** Names the process in failure messages. */
  what: string;
  /** The folder the process owns; removed by stop(). */
  dir: string;
  command: string;
  args: string[];
  cwd?: string;
  /** Ready once this answers 2xx. */
  readyUrl: string;
  timeoutMs?: number;
}

/** Starts the process and waits until it is ready; on a failed start, stops it and removes its folder before rethrowing. */
export async function startPrivateDaemon(options: PrivateDaemonOptions): Promise<PrivateDaemon> {
  const daemon = spawnDaemon(
    options.command,
    options.args,
    options.cwd ? { cwd: options.cwd } : {},
  );
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await daemon.stop();
      await rm(options.dir, { recursive: true, force: true });
    })();
    return stopping;
  };
  try {
    await waitUntilReady(options.what, () => answersOk(options.readyUrl), {
      daemon,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { daemon, stop };
}

/** Whether `url` answers 2xx now. */
export async function answersOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
