/**
 * Reading and parsing the YAML files an operator writes (the configuration, the
 * healing policy), with the same errors for both: a file that cannot be read, or YAML
 * that does not parse, is a ConfigError naming the file and, for syntax, the line.
 */
import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';

/** The file's text; `problemPath` is the path the problem is reported under. */
export async function readYamlFile(path: string, problemPath = ''): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error);
    throw new ConfigError(path, [{ path: problemPath, message: `cannot read: ${reason}` }]);
  }
}

/** Parses YAML (duplicate keys are errors, as YAML requires); `source` names it in errors. */
export function parseYaml(text: string, source: string, problemPath = ''): unknown {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      document.errors.map((error) => ({
        path: problemPath,
        message: `YAML syntax error at line ${error.linePos?.[0].line ?? '?'}: ${error.message.split('\n')[0]}`,
      })),
    );
  }
  return document.toJS();
}
