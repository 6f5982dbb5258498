/** Reading a YAML configuration file. */
import { dirname } from 'node:path';
import { isRecord } from '../util/is-record.js';
import { ConfigError } from '../errors.js';
import { resolveConfigPaths } from './paths.js';
import { parseYaml, readYamlFile } from './yaml-file.js';

/**
 * Reads and parses a YAML file into a plain object (not yet validated), its relative
 * file paths resolved against the file's folder. A missing
 * file, a YAML syntax error or a top level that is not a mapping is a ConfigError
 * naming the file and, for syntax errors, the line.
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  const text = await readYamlFile(path);
  return resolveConfigPaths(parseConfigText(text, path), dirname(path));
}

/** Parses YAML text; `source` names it in errors. */
export function parseConfigText(text: string, source: string): Record<string, unknown> {
  const value = parseYaml(text, source);
  if (value === null || value === undefined) return {};
  if (!isRecord(value)) {
    throw new ConfigError(source, [{ path: '', message: 'expected a mapping at the top level' }]);
  }
  return value;
}
