import { execFile, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its stderr when it exits non-zero or times out. */
export function runCommand(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        env: options.env,
        timeout: options.timeoutMs ?? 60_000,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error) {
          const detail = stderr.trim() || error.message;
          reject(new Error(`${command} ${args.join(' ')} failed: ${detail}`, { cause: error }));
        } else {
          resolve({ stdout, stderr });
        }
      },
    );
  });
}

/** A long-running child process (a server) that a test starts and must stop. */
export interface DaemonProcess {
  readonly pid: number | undefined;
  /** Resolves once the process has exited (or failed to start). */
  readonly exited: Promise<void>;
  isRunning(): boolean;
  /** The tail of what the process wrote, for error messages. */
  output(): string;
  /** Sends `signal`, escalates to SIGKILL after `graceMs`, resolves once the process is gone. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const OUTPUT_TAIL_CHARS = 8_192;

export function spawnDaemon(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): DaemonProcess {
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const record = (chunk: Buffer): void => {
    tail = (tail + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', record);
  child.stderr.on('data', record);

  let running = true;
  // 'exit' rather than 'close': grandchildren (conmon) may keep the pipes open.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (error) => {
      record(Buffer.from(`${command}: ${error.message}\n`));
      resolve();
    });
  }).then(() => {
    running = false;
  });

  return {
    pid: child.pid,
    exited,
    isRunning: () => running,
    output: () => tail,
    async stop(signal = 'SIGTERM', graceMs = 5_000) {
      if (!running) return;
      child.kill(signal);
      const gone = await Promise.race([exited.then(() => true), sleep(graceMs, false)]);
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * Polls `isReady` until it answers true. Fails fast, with the daemon's output, when the
 * daemon being waited for exits instead of becoming ready.
 */
export async function waitUntilReady(
  what: string,
  isReady: () => Promise<boolean>,
  options: { daemon?: DaemonProcess; timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    if (await isReady()) return;
    if (options.daemon && !options.daemon.isRunning()) {
      throw new Error(`${what} exited before it was ready:\n${options.daemon.output()}`);
    }
    if (Date.now() > deadline) {
      const output = options.daemon ? `:\n${options.daemon.output()}` : '';
      throw new Error(`${what} was not ready within ${options.timeoutMs ?? 20_000} ms${output}`);
    }
    await sleep(options.intervalMs ?? 50);
  }
}
