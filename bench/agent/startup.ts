/**
 * Start-up: from spawning a program to its first 200 (the agent's /healthz,
 * node_exporter's /metrics, which it serves from its first moment), polled every 5 ms.
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { freeLoopbackPort } from '../../test/support/ports.js';
import type { Launch } from './exporters.js';

const POLL_MS = 5;
const GIVE_UP_MS = 30_000;

function answersOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).once('error', () => resolve(false));
  });
}

/** Seconds from spawn to the first 200 of the launch's ready URL. */
export async function timeStartup(launchOn: (port: number) => Launch): Promise<number> {
  const launch = launchOn(await freeLoopbackPort());
  const started = performance.now();
  const child = spawn(launch.command, launch.args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    while (!(await answersOk(launch.readyUrl))) {
      if (child.exitCode !== null) throw new Error(`${launch.command} exited during start-up`);
      if (performance.now() - started > GIVE_UP_MS)
        throw new Error(`${launch.command} did not answer within ${GIVE_UP_MS} ms`);
      await sleep(POLL_MS);
    }
    return (performance.now() - started) / 1000;
  } finally {
    child.kill('SIGKILL');
    await exited;
    launch.cleanup();
  }
}
