/**
 * The files the agent appends to or replaces (the healing audit, the detector's state,
 * the log file), checked before anything starts: `check-config` reports them, and the
 * agent refuses to start with the same words. Nothing is created by the check.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { ConfigProblem } from '../errors.js';
import type { SentinelConfig } from './schema.js';

/** Each file the configuration makes the agent write, under the key that names it. */
function writtenFiles(config: SentinelConfig): Array<{ key: string; file: string }> {
  const files = [{ key: 'recovery.audit_file', file: config.recovery.audit_file }];
  if (config.detection.enabled && config.detection.state_file !== undefined)
    files.push({ key: 'detection.state_file', file: config.detection.state_file });
  if (config.log.enable_file) files.push({ key: 'log.file', file: config.log.file });
  return files;
}

/** Problems with the files the agent would write, each named by its key; [] when all can be written. */
export async function writablePathProblems(config: SentinelConfig): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  for (const { key, file } of writtenFiles(config)) {
    const problem = await writableFileProblem(file);
    if (problem !== undefined) problems.push({ path: key, message: problem });
  }
  return problems;
}

/**
 * Why `file` could not be opened for writing (or created, with the folders above it),
 * or undefined when it could.
 */
async function writableFileProblem(file: string): Promise<string | undefined> {
  const path = resolve(file);
  const existing = await stat(path).catch((error: NodeJS.ErrnoException) => error);
  if (!(existing instanceof Error)) {
    if (existing.isDirectory()) return `${path} is a directory, not a file`;
    const refused = await denied(path, constants.W_OK);
    return refused === undefined ? undefined : `${path} is not writable (${refused})`;
  }
  if (!missing(existing)) return `cannot check ${path}: ${reason(existing)}`;
  // The nearest folder above that exists decides whether the rest can be created.
  for (let above = dirname(path); ; above = dirname(above)) {
    const found = await stat(above).catch((error: NodeJS.ErrnoException) => error);
    if (found instanceof Error) {
      if (missing(found) && above !== dirname(above)) continue;
      return `cannot create ${path}: ${reason(found)}`;
    }
    if (!found.isDirectory()) return `cannot create ${path}: ${above} is a file, not a directory`;
    const refused = await denied(above, constants.W_OK | constants.X_OK);
    return refused === undefined
      ? undefined
      : `cannot create ${path}: ${above} is not writable (${refused})`;
  }
}

function missing(error: NodeJS.ErrnoException): boolean {
  return error.code === 'ENOENT' || error.code === 'ENOTDIR';
}

/** Why access in `mode` is refused (EACCES, EROFS), or undefined when it is not. */
async function denied(path: string, mode: number): Promise<string | undefined> {
  return access(path, mode).then(
    () => undefined,
    (error: NodeJS.ErrnoException) => reason(error),
  );
}

function reason(error: NodeJS.ErrnoException): string {
  return error.code ?? error.message;
}
