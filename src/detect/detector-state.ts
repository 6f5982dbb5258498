/**
 * Saving and restoring detector state, so that a restart needs no new warm-up. The
 * file carries a format version and the settings that shape the state (window and
 * history lengths, forest options); a file written under other values of those is
 * incompatible and replaced, while thresholds can be retuned freely.
 * Writes go to a temporary file renamed into place, so a crash mid-write leaves the
 * previous state, never half a file. The state is written as it is serialised, a few
 * milliseconds of work at a time with the event loop free in between, so a save of
 * a thousand series never delays a collection round.
 */
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DetectionConfig } from '../config/detection.js';
import type { CoreState } from './detector-core.js';
import { DetectorStateError } from './detect-errors.js';

/**
 * 3: the range, shape and seasonal tests replaced the z-score, MAD and seasonal-profile detectors.
 * 4: the forest's training rows are saved column by column (TrainingRowsState), not as a list of rows.
 */
export const STATE_VERSION = 4;

/** Longest stretch of serialising between two yields to the event loop. */
const SLICE_MS = 1;
/** Most text buffered before it is written. */
const CHUNK_CHARS = 1 << 18;

/** The settings that give the saved state its shape, each with the value it was saved under. */
type ShapingSettings = Partial<Record<ShapingKey, unknown>>;

interface StateFile {
  version: number;
  settings: ShapingSettings;
  saved_at: string;
  core: CoreState;
}

/**
 * The settings that change what the state holds: window and history lengths, the
 * seasonal period, the forest's make. A state saved under other values of these is
 * replaced, and the log names the key. Every other setting (a threshold, a margin, a
 * rest, the warm-up, the hold, the forest's contamination, which takes effect at its
 * next fit) can be retuned without losing what was learned.
 */
const SHAPING_KEYS = [
  'block_samples',
  'shape_window',
  'shape_history',
  'novelty_calibration',
  'seasonal_period',
  'isolation_n_estimators',
  'isolation_subsample_size',
  'isolation_fit_window',
  'isolation_seed',
] as const satisfies readonly (keyof DetectionConfig)[];
type ShapingKey = (typeof SHAPING_KEYS)[number];

function shapingSettings(config: DetectionConfig): ShapingSettings {
  return Object.fromEntries(SHAPING_KEYS.map((key) => [key, config[key]]));
}

/** The first shaping setting whose saved value differs from the configured one. */
function changedSetting(saved: ShapingSettings, config: DetectionConfig): ShapingKey | undefined {
  return SHAPING_KEYS.find((key) => JSON.stringify(saved[key]) !== JSON.stringify(config[key]));
}

/**
 * Saves the core state: a CoreState, or its JSON text in pieces (DetectorCore.saveText),
 * which are taken a slice of time at a time, yielding to the event loop between slices.
 */
export async function saveState(
  file: string,
  config: DetectionConfig,
  core: CoreState | Iterable<string>,
): Promise<void> {
  const header: Omit<StateFile, 'core'> = {
    version: STATE_VERSION,
    settings: shapingSettings(config),
    saved_at: new Date().toISOString(),
  };
  const pieces = Symbol.iterator in core ? core : [JSON.stringify(core)];
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    let text = `${JSON.stringify(header).slice(0, -1)},"core":`;
    let sliceStarted = performance.now();
    for (const piece of pieces) {
      text += piece;
      if (text.length >= CHUNK_CHARS || performance.now() - sliceStarted >= SLICE_MS) {
        await handle.write(text);
        text = '';
        // A write can complete within the same turn of the loop: wait for the next one,
        // so that rounds, timers and other I/O run between any two slices.
        await new Promise((resume) => setImmediate(resume));
        sliceStarted = performance.now();
      }
    }
    await handle.write(`${text}}`);
  } catch (error) {
    await handle.close();
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  await handle.close();
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
  const changed = changedSetting(parsed.settings ?? {}, config);
  if (changed) {
    const setting = `detection.${changed}`;
    const was = JSON.stringify(parsed.settings?.[changed]);
    throw new DetectorStateError(
      file,
      `incompatible: saved with ${setting} ${was}, configured ${JSON.stringify(config[changed])}`,
      { setting },
    );
  }
  if (typeof parsed.core !== 'object' || parsed.core === null || !parsed.core.series)
    throw new DetectorStateError(file, 'corrupt: no detector state in it');
  return parsed.core;
}
