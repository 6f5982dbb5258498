/** Building the agent's configuration from `--config.file` and flag overrides. */
import { mergeOverrides, type ParsedFlags } from '../config/flags.js';
import { readConfigFile } from '../config/load.js';
import type { SentinelConfig } from '../config/schema.js';
import { validateConfig } from '../config/validate.js';

/** Reads the file (if any), lays the flags over it and validates the result. */
export async function configFromFlags(flags: ParsedFlags): Promise<SentinelConfig> {
  const fromFile = flags.configFile ? await readConfigFile(flags.configFile) : {};
  const source = flags.configFile
    ? `${flags.configFile} with command-line flags`
    : 'command-line flags';
  return validateConfig(mergeOverrides(fromFile, flags.overrides), source);
}
