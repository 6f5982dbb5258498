/** Building the agent's configuration from `--config.file` and flag overrides. */
import { mergeOverrides, type ParsedFlags } from '../config/flags.js';
import { readConfigFile } from '../config/load.js';
import type { SentinelConfig } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';
import { writablePathProblems } from '../config/writable-paths.js';
import type { ConfigProblem } from '../errors.js';

/**
 * Where the command keeps detector state unless told otherwise, as Prometheus keeps
 * its TSDB in `data/`: a restarted agent needs no new warm-up. (The library default
 * is no state file, so that agents embedded side by side never share one.)
 */
const DEFAULT_STATE_FILE = 'data/detector-state.json';

/** Reads the file (if any), lays the flags over it and validates the result. */
export async function configFromFlags(flags: ParsedFlags): Promise<SentinelConfig> {
  const fromFile = flags.configFile ? await readConfigFile(flags.configFile) : {};
  const source = flags.configFile
    ? `${flags.configFile} with command-line flags`
    : 'command-line flags';
  return withCommandDefaults(validateConfig(mergeOverrides(fromFile, flags.overrides), source));
}

function withCommandDefaults(config: SentinelConfig): SentinelConfig {
  if (config.detection.state_file === undefined) config.detection.state_file = DEFAULT_STATE_FILE;
  return config;
}

/**
 * For check-config: the files the agent started here with this configuration would
 * write (relative paths from the working directory, as the agent reads them).
 */
export function checkWrittenFiles(config: SentinelConfig): Promise<ConfigProblem[]> {
  return writablePathProblems(withCommandDefaults(config));
}
