/**
 * The three programs bench:agent runs side by side, each in a process of its own on a
 * free loopback port: the agent as users run it (the build of `npm run build`, its
 * configuration in a file), node_exporter and blackbox_exporter as Debian installs them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SentinelConfigInput } from '../../src/config/schema.js';
import { freeLoopbackPort } from '../../test/support/ports.js';
import { startChild, type Child } from '../support/child.js';

export const NODE_EXPORTER = 'prometheus-node-exporter';
export const BLACKBOX_EXPORTER = 'prometheus-blackbox-exporter';
const CLI = join(import.meta.dirname, '../../../dist/cli.js');

export interface Exporter {
  child: Child;
  base: string;
  stop(): Promise<void>;
}

/** How to start a program on `port`, and the URL that answers 200 once it is up. */
export interface Launch {
  command: string;
  args: string[];
  readyUrl: string;
  /** Removes what the launch wrote (configuration files). */
  cleanup(): void;
}

export function agentLaunch(port: number, config: SentinelConfigInput = {}): Launch {
  const dir = mkdtempSync(join(tmpdir(), 'bench-agent-'));
  const file = join(dir, 'config.yml');
  // JSON is YAML: the configuration as a user would write it.
  writeFileSync(file, JSON.stringify({ log: { level: 'warn' }, ...config }));
  return {
    command: 'node',
    args: [CLI, `--config.file=${file}`, `--web.listen-address=127.0.0.1:${port}`],
    readyUrl: `http://127.0.0.1:${port}/healthz`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function nodeExporterLaunch(port: number): Launch {
  return {
    command: NODE_EXPORTER,
    args: [`--web.listen-address=127.0.0.1:${port}`],
    readyUrl: `http://127.0.0.1:${port}/metrics`,
    cleanup: () => undefined,
  };
}

/** blackbox_exporter's http prober as its example configuration has it, with a 5 s timeout. */
export function blackboxLaunch(port: number): Launch {
  const dir = mkdtempSync(join(tmpdir(), 'bench-blackbox-'));
  const file = join(dir, 'blackbox.yml');
  writeFileSync(
    file,
    'modules:\n  http_2xx:\n    prober: http\n    timeout: 5s\n    http:\n      method: GET\n',
  );
  return {
    command: BLACKBOX_EXPORTER,
    args: [`--config.file=${file}`, `--web.listen-address=127.0.0.1:${port}`],
    readyUrl: `http://127.0.0.1:${port}/metrics`,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function startExporter(launchOn: (port: number) => Launch): Promise<Exporter> {
  const port = await freeLoopbackPort();
  const launch = launchOn(port);
  try {
    const child = await startChild(launch.command, launch.args, launch.readyUrl);
    return {
      child,
      base: `http://127.0.0.1:${port}`,
      stop: async () => {
        await child.stop();
        launch.cleanup();
      },
    };
  } catch (error) {
    launch.cleanup();
    throw error;
  }
}
