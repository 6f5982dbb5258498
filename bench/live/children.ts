/** Child processes running bench/live/loads.js, each stopped by cleanup if still running. */
import { join } from 'node:path';
import { type DaemonProcess, spawnDaemon } from '../../test/support/processes.js';
import { onCleanup } from './cleanup.js';

const LOADS = join(import.meta.dirname, 'loads.js');

export interface Load {
  daemon: DaemonProcess;
  pid: number;
  /** Stops it (SIGKILL: a load needs no grace) and waits until it is gone. Idempotent. */
  stop(): Promise<void>;
}

export function startLoad(mode: string, args: (string | number)[]): Load {
  const daemon = spawnDaemon(process.execPath, [LOADS, mode, ...args.map(String)]);
  if (daemon.pid === undefined) throw new Error(`loads ${mode} did not start: ${daemon.output()}`);
  const stop = onCleanup(`loads ${mode} (pid ${daemon.pid})`, () => daemon.stop('SIGKILL'));
  return { daemon, pid: daemon.pid, stop };
}
