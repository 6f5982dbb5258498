/**
 * Saving and restoring detector state, so that a restart needs no new warm-up. The
 * file carries a format version and the settings that shape the state (window sizes,
 * forest options); a file written under other settings is incompatible and replaced.
 * Writes go to a temporary file renamed into place, so a crash mid-write leaves the
 * previous state, never half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DetectionConfig } from '../config/detection.js';
import type { CoreState } from './detector-core.js';
import { DetectorStateError } from './detect-errors.js';

/** 2: series state gained the seasonal detector. */
export const STATE_VERSION = 2;

interface StateFile {
  version: number;
  settings: string;
  saved_at: string;
  core: CoreState;
}

/** Settings that change how state is kept, not what it means. */
const NOT_SHAPING = new Set([
  'enabled',
  'state_file',
  'state_save_interval',
  'max_series',
  'anomaly_hold',
]);

/** The settings a saved state depends on, as a comparable string. */
export function stateSettings(config: DetectionConfig): string {
  return JSON.stringify(
    Object.entries(config)
      .filter(([key]) => !NOT_SHAPING.has(key))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

export async function saveState(
  file: string,
  config: DetectionConfig,
  core: CoreState,
): Promise<void> {
  const content: StateFile = {
    version: STATE_VERSION,
    settings: stateSettings(config),
    saved_at: new Date().toISOString(),
    core,
  };
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(content));
  await rename(temporary, file);
}

/** The saved core state; undefined when there is no file. Throws DetectorStateError when unusable. */
export async function loadState(
  file: string,
  config: DetectionConfig,
): Promise<CoreState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DetectorStateError(file, `cannot read: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let parsed: Partial<StateFile>;
  try {
    parsed = JSON.parse(text) as Partial<StateFile>;
  } catch (error) {
    throw new DetectorStateError(file, 'corrupt: not JSON', { cause: error });
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.version !== STATE_VERSION)
    throw new DetectorStateError(
      file,
      `incompatible: format version ${String(parsed?.version)}, expected ${STATE_VERSION}`,
    );
  if (parsed.settings !== stateSettings(config))
    throw new DetectorStateError(file, 'incompatible: saved under different detection settings');
  if (typeof parsed.core !== 'object' || parsed.core === null || !parsed.core.series)
    throw new DetectorStateError(file, 'corrupt: no detector state in it');
  return parsed.core;
}
