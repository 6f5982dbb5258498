/** Starting a server process for a benchmark and waiting until it answers: the tests' own helpers. */
import { type DaemonProcess, spawnDaemon, waitUntilReady } from '../../test/support/processes.js';
import { answersOk } from '../../test/support/private-daemon.js';

export type Child = DaemonProcess & { pid: number };

export async function startChild(
  command: string,
  args: string[],
  readyUrl: string,
): Promise<Child> {
  const daemon = spawnDaemon(command, args);
  try {
    await waitUntilReady(command, () => answersOk(readyUrl), { daemon });
  } catch (error) {
    await daemon.stop('SIGKILL');
    throw error;
  }
  if (daemon.pid === undefined) throw new Error(`${command} has no process id`);
  return daemon as Child;
}
