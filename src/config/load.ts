/** Reading a YAML configuration file. */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';
import { resolveConfigPaths } from './paths.js';

/**
 * Reads and parses a YAML file into a plain object (not yet validated), its relative
 * file paths resolved against the file's folder. A missing
 * file, a YAML syntax error or a top level that is not a mapping is a ConfigError
 * naming the file and, for syntax errors, the line.
 */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new ConfigError(path, [{ path: '', message: `cannot read: ${reason}` }]);
  }
  return resolveConfigPaths(parseConfigText(text, path), dirname(path));
}

/** Parses YAML text; `source` names it in errors. */
export function parseConfigText(text: string, source: string): Record<string, unknown> {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      document.errors.map((error) => ({
        path: '',
        message: `YAML syntax error at line ${error.linePos?.[0].line ?? '?'}: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  const value: unknown = document.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(source, [{ path: '', message: 'expected a mapping at the top level' }]);
  }
  return value as Record<string, unknown>;
}
