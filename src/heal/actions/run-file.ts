/** Running a program without a shell: argv goes to execve as is, so nothing in it is ever interpreted. */
import { execFile } from 'node:child_process';
import { CommandFailedError } from '../errors.js';

// Healing commands get a minimal environment: the agent's own (which may hold the
// webhook token or Redis credentials) is not theirs to read.
const COMMAND_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};

export interface FileOutput {
  stdout: string;
  stderr: string;
}

/**
 * Resolves on exit 0; rejects with CommandFailedError naming the exit code or signal and
 * stderr's tail. `env` is added to the minimal environment (PATH and LANG stay).
 */
export function runFile(
  file: string,
  args: readonly string[],
  signal: AbortSignal,
  env?: Readonly<Record<string, string>>,
): Promise<FileOutput> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        signal,
        killSignal: 'SIGKILL',
        env: env ? { ...env, ...COMMAND_ENV } : COMMAND_ENV,
        maxBuffer: 1024 * 1024,
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ stdout, stderr });
          return;
        }
        if (signal.aborted) {
          reject(signal.reason);
          return;
        }
        const { code, signal: killedBy } = error as { code?: number | string; signal?: string };
        const how =
          typeof code === 'number'
            ? `exited with code ${code}`
            : killedBy
              ? `was killed by ${killedBy}`
              : `could not start (${code ?? error.message})`;
        const tail = stderr.trim().slice(-500);
        reject(
          new CommandFailedError(`${file} ${how}${tail ? `: ${tail}` : ''}`, { cause: error }),
        );
      },
    );
  });
}
