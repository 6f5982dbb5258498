import { describe, expect, it } from 'vitest';
import { configFlagRows, helpText } from '../../../src/cli/help.js';
import { parseFlags } from '../../../src/config/flags.js';
import { configSchema } from '../../../src/config/schema.js';
import type { z } from 'zod';

/** Every `section.key` of the schema. */
function schemaKeys(): string[] {
  return Object.entries(configSchema.shape).flatMap(([section, schema]) => {
    let inner = schema as z.ZodType;
    while ('innerType' in inner.def) inner = inner.def.innerType as z.ZodType;
    return Object.keys((inner as z.ZodObject).shape).map((key) => `${section}.${key}`);
  });
}

describe('--help', () => {
  const help = helpText();

  it('lists every configuration key as a flag, with a meaning from its doc comment', () => {
    const rows = new Map(configFlagRows().map((row) => [row.key, row]));
    for (const key of schemaKeys()) {
      const row = rows.get(key);
      expect(row, `${key} is not in --help`).toBeDefined();
      expect(help).toContain(`  ${row!.flag}`);
      // A meaning of its own, not only the default: the key has a doc comment.
      expect(
        row!.meaning.replace(/\(default: .*\)$/, '').trim(),
        `${key} has no doc comment`,
      ).not.toBe('');
    }
    expect(rows.size).toBe(schemaKeys().length);
  });

  it('spells each flag so that the parser maps it back onto its key', () => {
    for (const { key, flag } of configFlagRows()) {
      const name = flag.replace(/^--(\[no-\])?/, '').replace(/=.*$/, '');
      const [section, field] = key.split('.') as [string, string];
      const parsed = parseFlags([`--${name}=1`]).overrides;
      expect(Object.keys(parsed[section] ?? {}), flag).toEqual([field]);
    }
  });

  it('groups the flags by section and shows defaults', () => {
    expect(help).toMatch(/^usage: aegis-sentinel \[flags\]/);
    for (const section of Object.keys(configSchema.shape)) {
      expect(help).toContain(`\n${section} (the "${section}:" section of --config.file):\n`);
    }
    expect(help).toMatch(
      / {2}--web\.telemetry-path=PATH +Path under which [\s\S]*?\(default: \/metrics\)/,
    );
    expect(help).toMatch(
      /--monitoring\.collection-interval=DURATION\n +Time between [\s\S]*?\(default: 5s\)/,
    );
    expect(help).toContain('--[no-]collector.NAME');
  });

  it('keeps every line within 100 columns except long regex defaults', () => {
    const long = help.split('\n').filter((line) => line.length > 100 && !line.includes('^'));
    expect(long).toEqual([]);
  });
});
