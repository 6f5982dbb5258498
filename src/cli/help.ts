/**
 * The text of `aegis-sentinel --help`: the commands, the general flags, then one flag per
 * configuration key, grouped by section. The per-key flags are derived from the zod
 * schemas in src/config (names, types, defaults) and their doc comments (meaning), so
 * they cannot drift from what the agent accepts; test/unit/cli/help.test.ts checks
 * that every key is listed with a meaning.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { flagName } from '../config/flags.js';
import { formatDuration } from '../config/duration.js';
import { configSchema } from '../config/schema.js';

const USAGE = `usage: aegis-sentinel [flags]
       aegis-sentinel check-config FILE...
       aegis-sentinel backtest INPUT [--output OUT] [--format nab]

Monitoring and self-healing agent for Prometheus users.

Commands:
  (none)                Run the agent: collect, detect, serve /metrics, /status, /healthz, /heal.
  check-config FILE...  Validate configuration files, the healing policy they name, its
                        allow-lists, the token file and the files the agent writes;
                        exit 1 with every problem, like promtool check config.
  backtest INPUT        Run the anomaly detectors causally over a CSV file or folder.

Every configuration key is also a flag: --SECTION.KEY=VALUE, dashes for underscores.
A flag overrides the file's value; a list key's flag repeats, one item each. Booleans
take --KEY or --no-KEY. Durations take Prometheus syntax (500ms, 5s, 1m30s) or seconds.
`;

/** Flags that are not configuration keys. */
const GENERAL: ReadonlyArray<readonly [string, string]> = [
  ['--config.file=FILE', 'YAML configuration file. Without it, embedded defaults.'],
  [
    '--[no-]collector.NAME',
    'Switch a collector on or off: host, network, disk, endpoints, containers.',
  ],
  ['-h, --help', 'Show this help.'],
  ['--version', 'Show the version.'],
];

/** A key's meaning and default note, from the doc comment above it in its schema's source. */
export interface KeyDoc {
  text: string;
  default: string | undefined;
}

/**
 * Reads the doc comments of each section's keys from the schema sources beside this
 * module (src/config/*.ts under vitest, dist/config/*.js as built: tsc keeps comments).
 */
export function readKeyDocs(sections: readonly string[]): Map<string, KeyDoc> {
  const dir = join(import.meta.dirname, '../config');
  const sources = readdirSync(dir)
    .filter((file) => /\.(js|ts)$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => readFileSync(join(dir, file), 'utf8'));
  const docs = new Map<string, KeyDoc>();
  for (const section of sections) {
    const marker = `export const ${section}Schema`;
    const source = sources.find((text) => text.includes(marker));
    if (source === undefined) continue;
    const body = source.slice(source.indexOf(marker)).split(/\nexport /)[0] as string;
    for (const match of body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*([A-Za-z_]+)\s*:/g)) {
      const key = `${section}.${match[2] as string}`;
      if (docs.has(key)) continue;
      const comment = (match[1] as string)
        .split('\n')
        .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim();
      const at = comment.indexOf('@default');
      docs.set(key, {
        text: (at === -1 ? comment : comment.slice(0, at)).trim(),
        default: at === -1 ? undefined : comment.slice(at + '@default'.length).trim(),
      });
    }
  }
  return docs;
}

/** The schema under its default, prefault, optional and readonly wrappers. */
function unwrap(type: z.ZodType): z.ZodType {
  let inner = type;
  while ('innerType' in inner.def) inner = inner.def.innerType as z.ZodType;
  return inner;
}

/** What a flag's value looks like, from its schema. */
function valueName(key: string, type: z.ZodType): string {
  const inner = unwrap(type);
  if (inner instanceof z.ZodArray) return valueName(key, inner.element as z.ZodType);
  if (inner instanceof z.ZodEnum) return inner.options.join('|');
  if (inner instanceof z.ZodNumber) return inner.format?.includes('int') ? 'INT' : 'NUMBER';
  if (inner instanceof z.ZodPipe) {
    const options = inner.in instanceof z.ZodUnion ? (inner.in.options as z.ZodType[]) : [];
    if (options.some((option) => option instanceof z.ZodNumber)) return 'DURATION';
    if (options.some((option) => option instanceof z.ZodObject)) return 'URL';
  }
  if (key === 'file' || key.endsWith('_file')) return 'FILE';
  if (key.endsWith('_address')) return 'HOST:PORT';
  if (key.endsWith('_path')) return 'PATH';
  if (key.endsWith('_env')) return 'NAME';
  if (key.endsWith('_url')) return 'URL';
  if (key.endsWith('_exclude') || key.endsWith('_pattern')) return 'REGEX';
  return 'STRING';
}

/** A default value as the help shows it. */
function shownDefault(value: unknown, type: z.ZodType): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && valueName('', type) === 'DURATION') return formatDuration(value);
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}

/** The first sentence of a description, or of a long one its part before `:` or `;`. */
function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  const sentence = end === -1 ? text : text.slice(0, end + 1);
  if (sentence.length <= 120) return sentence;
  const clause = sentence.search(/[:;]\s/);
  return clause === -1 ? sentence : `${sentence.slice(0, clause)}.`;
}

/** One row per configuration key: its flag and its meaning with its default. */
export function configFlagRows(): Array<{
  section: string;
  key: string;
  flag: string;
  meaning: string;
}> {
  const shape = configSchema.shape as Record<string, z.ZodType>;
  const sections = Object.keys(shape);
  const docs = readKeyDocs(sections);
  const defaults = configSchema.parse({}) as Record<string, Record<string, unknown>>;
  const rows = [];
  for (const section of sections) {
    const fields = (unwrap(shape[section] as z.ZodType) as z.ZodObject).shape as Record<
      string,
      z.ZodType
    >;
    for (const [field, type] of Object.entries(fields)) {
      const key = `${section}.${field}`;
      const inner = unwrap(type);
      const doc = docs.get(key);
      const fallback = shownDefault(defaults[section]?.[field], type);
      let flag: string;
      let note = '';
      if (inner instanceof z.ZodBoolean) flag = `--[no-]${flagName(key)}`;
      else if (inner instanceof z.ZodRecord) {
        flag = `--${flagName(key)}`;
        note = ' Configuration file only.';
      } else {
        flag = `--${flagName(key)}=${valueName(field, type)}`;
        if (inner instanceof z.ZodArray) note = ' Repeatable.';
      }
      const shown = doc?.default ?? fallback;
      const meaning = `${firstSentence(doc?.text ?? '')}${note}${shown === undefined ? '' : ` (default: ${shown})`}`;
      rows.push({ section, key, flag, meaning: meaning.trim() });
    }
  }
  return rows;
}

const FLAG_COLUMN = 34;
const WIDTH = 100;

/** Wraps `text` to the help's width, indented to the meaning column. */
function wrap(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && FLAG_COLUMN + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines.join(`\n${' '.repeat(FLAG_COLUMN)}`);
}

function row(flag: string, meaning: string): string {
  const lead = `  ${flag}`;
  return lead.length < FLAG_COLUMN - 1
    ? `${lead.padEnd(FLAG_COLUMN)}${wrap(meaning)}\n`
    : `${lead}\n${' '.repeat(FLAG_COLUMN)}${wrap(meaning)}\n`;
}

/** The whole help text. */
export function helpText(): string {
  let text = `${USAGE}\nFlags:\n${GENERAL.map(([flag, meaning]) => row(flag, meaning)).join('')}`;
  let section = '';
  for (const entry of configFlagRows()) {
    if (entry.section !== section) {
      section = entry.section;
      text += `\n${section} (the "${section}:" section of --config.file):\n`;
    }
    text += row(entry.flag, entry.meaning);
  }
  return text;
}
