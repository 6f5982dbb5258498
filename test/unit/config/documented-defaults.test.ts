import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { validateConfig } from '../../../src/config/validate.js';

const FILE = join(import.meta.dirname, '../../../config/aegis-sentinel.yml');

describe('config/aegis-sentinel.yml', () => {
  it('documents exactly the embedded defaults', async () => {
    const documented = validateConfig(parseConfigText(await readFile(FILE, 'utf8'), FILE), FILE);
    expect(documented).toEqual(validateConfig({}));
  });

  it('names every key of every section', async () => {
    const raw = parseConfigText(await readFile(FILE, 'utf8'), FILE) as Record<
      string,
      Record<string, unknown>
    >;
    const defaults = validateConfig({}) as unknown as Record<string, Record<string, unknown>>;
    for (const [section, values] of Object.entries(defaults)) {
      const text = await readFile(FILE, 'utf8');
      for (const key of Object.keys(values)) {
        // Keys without a default value are documented as comments (`# key: ...`).
        const documented =
          raw[section] !== undefined && key in raw[section] ? true : text.includes(`# ${key}:`);
        expect(documented, `${section}.${key} is not documented`).toBe(true);
      }
    }
  });
});
