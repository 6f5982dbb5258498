/**
 * The container for the crash-loop fault, on a private podman engine serving the Docker
 * API (test/support/podman.ts, as the services tests use it). It runs steadily from the
 * start, so the agent learns it; the fault makes it exit after 2 s on every start, and
 * its restart policy `always` restarts it at once: a crash loop.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type PodmanEngine, startPodmanEngine } from '../../test/support/podman.js';
import { onCleanup } from './cleanup.js';

export const CONTAINER_NAME = 'bench-crashloop';

// Steady while /ctl/crash is absent (polls it every second); with it, exits 1 after 2 s.
const SCRIPT =
  'if [ -f /ctl/crash ]; then sleep 2; exit 1; fi; ' +
  'while [ ! -f /ctl/crash ]; do sleep 1; done; exit 1';

export interface CrashLoopContainer {
  dockerHost: string;
  crash(): Promise<void>;
  heal(): Promise<void>;
  restartCount(): Promise<number>;
}

/** Starts the engine and the container; a string says why it could not. */
export async function startCrashLoopContainer(): Promise<CrashLoopContainer | string> {
  let engine: PodmanEngine;
  try {
    engine = await startPodmanEngine();
  } catch (error) {
    return `podman engine did not start: ${firstLine(error)}`;
  }
  onCleanup('podman engine and its containers', () => engine.stop());
  const control = join(engine.dir, 'ctl');
  const flag = join(control, 'crash');
  try {
    await mkdir(control);
    await engine.run({
      name: CONTAINER_NAME,
      cmd: ['sh', '-c', SCRIPT],
      volumes: [`${control}:/ctl`],
      restartPolicy: 'always',
    });
  } catch (error) {
    return `container did not start: ${firstLine(error)}`;
  }
  return {
    dockerHost: engine.dockerHost,
    crash: () => writeFile(flag, 'crash\n'),
    heal: () => rm(flag, { force: true }),
    restartCount: async () => {
      const { stdout } = await engine.podman([
        'inspect',
        '--format',
        '{{.RestartCount}}',
        CONTAINER_NAME,
      ]);
      return Number(stdout.trim());
    },
  };
}

function firstLine(error: unknown): string {
  return ((error as Error).message ?? String(error)).split('\n')[0] ?? '';
}
