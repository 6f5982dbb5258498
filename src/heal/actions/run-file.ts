/**
 * Running a program without a shell: argv goes to execve as is, so nothing in it is ever
 * interpreted. Each program runs in a process group of its own (spawned detached), so a
 * timeout or the healer's shutdown kills it with everything it started (`kill -PGID`),
 * and after a crash the restarted healer can find the group by its id in the journal.
 */
import { spawn } from 'node:child_process';
import { CommandFailedError } from '../errors.js';

// Healing commands get a minimal environment: the agent's own (which may hold the
// webhook token or Redis credentials) is not theirs to read.
const COMMAND_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};

const MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * With a marker, the program is started by this constant script: it writes its pid (the
 * group's id) to the marker file ($1), then execs the program, whose argv it passes on as
 * "$@", never parsed. So a program that ran always left a marker, written before it
 * started: after a crash the healer knows whether it ran, and its group, even when the
 * journal's own record of the group was not yet on disk. `$0`, the name the shell gives
 * its own errors ("aegis-sentinel: 1: exec: /x: not found"), is the agent's.
 */
const MARK_THEN_EXEC = 'echo $$ > "$1" && shift && exec "$@"';
const SHELL = '/bin/sh';

/** What the journal needs from a program it runs. */
export interface RunHooks {
  /** Told the process group's id once the program is spawned. */
  onSpawn?: (pgid: number) => void;
  /** File the group's id is written to before the program starts. */
  marker?: string;
}

export interface FileOutput {
  stdout: string;
  stderr: string;
}

/** Sends SIGKILL to process group `pgid`; false when no such group is left. */
export function killProcessGroup(pgid: number): boolean {
  try {
    process.kill(-pgid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves on exit 0; rejects with CommandFailedError naming the exit code or signal and
 * stderr's tail. `env` is added to the minimal environment (PATH and LANG stay). When `signal` aborts, the whole process group is killed and the promise
 * rejects with the signal's reason.
 */
export function runFile(
  file: string,
  args: readonly string[],
  signal: AbortSignal,
  env?: Readonly<Record<string, string>>,
  hooks: RunHooks = {},
): Promise<FileOutput> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const { marker, onSpawn } = hooks;
    const [command, argv] =
      marker === undefined
        ? [file, args]
        : [SHELL, ['-c', MARK_THEN_EXEC, 'aegis-sentinel', marker, file, ...args]];
    const child = spawn(command, argv, {
      detached: true,
      env: env ? { ...env, ...COMMAND_ENV } : COMMAND_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const pgid = child.pid;
    let stdout = '';
    let stderr = '';
    let overflow = false;
    const collect = (append: (text: string) => void) => (chunk: Buffer) => {
      if (stdout.length + stderr.length + chunk.length > MAX_OUTPUT_BYTES) {
        overflow = true;
        if (pgid !== undefined) killProcessGroup(pgid);
        return;
      }
      append(chunk.toString());
    };
    child.stdout.on(
      'data',
      collect((text) => (stdout += text)),
    );
    child.stderr.on(
      'data',
      collect((text) => (stderr += text)),
    );
    const onAbort = (): void => {
      if (pgid !== undefined) killProcessGroup(pgid);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    if (pgid !== undefined) onSpawn?.(pgid);
    child.once('error', (error: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', onAbort);
      reject(
        // Without the shell (a distroless image) it is the shell that is missing.
        new CommandFailedError(
          `${command === file ? file : `${SHELL}, which starts ${file},`} could not start (${error.code ?? error.message})`,
          {
            cause: error,
          },
        ),
      );
    });
    child.once('close', (code, killedBy) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      if (code === 0 && !overflow) {
        resolve({ stdout, stderr });
        return;
      }
      const how = overflow
        ? `wrote more than ${MAX_OUTPUT_BYTES} bytes and was killed`
        : code !== null
          ? `exited with code ${code}`
          : `was killed by ${killedBy}`;
      const tail = stderr.trim().slice(-500);
      reject(new CommandFailedError(`${file} ${how}${tail ? `: ${tail}` : ''}`));
    });
  });
}
