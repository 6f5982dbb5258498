/**
 * Exporter-style command-line flags. Every configuration key is a flag: the section
 * and key joined by a dot, underscores written as dashes, so `web.listen_address` is
 * `--web.listen-address=HOST:PORT` and `monitoring.collection_interval` is
 * `--monitoring.collection-interval=1s`. Booleans take `--x` / `--no-x`, and
 * node_exporter's `--collector.NAME` / `--no-collector.NAME` switch collectors.
 */
import { parse as parseYamlScalar } from 'yaml';
import { z } from 'zod';
import { isRecord } from '../util/is-record.js';
import { FlagError } from '../errors.js';
import { configSchema } from './schema.js';

/** The schema under its default, prefault and optional wrappers. */
function unwrap(type: z.ZodType): z.ZodType {
  let inner = type;
  while ('innerType' in inner.def) inner = inner.def.innerType as z.ZodType;
  return inner;
}

/** Keys whose flag may repeat, each occurrence adding one item: every list in the schema. */
const LIST_KEYS = new Set(
  Object.entries(configSchema.shape).flatMap(([section, schema]) =>
    Object.entries((unwrap(schema) as z.ZodObject).shape)
      .filter(([, field]) => unwrap(field) instanceof z.ZodArray)
      .map(([key]) => `${section}.${key}`),
  ),
);

/** `--collector.NAME` aliases, as node_exporter names its collector switches. */
const COLLECTOR_ALIASES: Record<string, string> = {
  'collector.host': 'monitoring.enable_host_monitoring',
  'collector.network': 'monitoring.enable_network_monitoring',
  'collector.disk': 'monitoring.enable_disk_monitoring',
  'collector.endpoints': 'monitoring.enable_endpoint_monitoring',
  'collector.containers': 'monitoring.enable_container_monitoring',
};

/** Keys whose flag is spelled as the Prometheus ecosystem spells it, not by the general rule. */
const FLAG_SPELLINGS: Record<string, string> = {
  'web.config_file': 'web.config.file',
};

/** The flag (without `--`) that sets a configuration key: `web.listen_address` → `web.listen-address`. */
export function flagName(key: string): string {
  return FLAG_SPELLINGS[key] ?? key.replaceAll('_', '-');
}

/** The configuration key a flag names: the first dot ends the section, `-` and `.` after it are `_`. */
function keyOfFlag(name: string): string {
  const dot = name.indexOf('.');
  if (dot === -1) return name.replaceAll('-', '_');
  return `${name.slice(0, dot + 1)}${name.slice(dot + 1).replaceAll(/[-.]/g, '_')}`;
}

export interface ParsedFlags {
  /** Positional words: a subcommand and its arguments. */
  positionals: string[];
  /** `--config.file`, if given. */
  configFile: string | undefined;
  /** Nested overrides to lay over the configuration file. */
  overrides: Record<string, Record<string, unknown>>;
  help: boolean;
  version: boolean;
}

/** Parses argv; a flag that names no configuration key is an unknown flag. */
export function parseFlags(argv: readonly string[]): ParsedFlags {
  const parsed: ParsedFlags = {
    positionals: [],
    configFile: undefined,
    overrides: {},
    help: false,
    version: false,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--') {
      parsed.positionals.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      if (arg.startsWith('-') && arg !== '-') {
        if (arg === '-h') parsed.help = true;
        else throw new FlagError(`unknown flag ${arg}; see --help`);
      } else {
        parsed.positionals.push(arg);
      }
      continue;
    }
    const body = arg.slice(2);
    const equals = body.indexOf('=');
    let name = equals === -1 ? body : body.slice(0, equals);
    let value: string | undefined = equals === -1 ? undefined : body.slice(equals + 1);
    if (name === 'help') {
      parsed.help = true;
      continue;
    }
    if (name === 'version') {
      parsed.version = true;
      continue;
    }
    let negated = false;
    if (name.startsWith('no-')) {
      negated = true;
      name = name.slice(3);
    }
    if (name === 'config.file') {
      if (negated) throw new FlagError('--no-config.file is not a flag');
      if (value === undefined) {
        value = argv[index + 1];
        index += 1;
      }
      if (value === undefined || value === '')
        throw new FlagError('--config.file needs a file path');
      parsed.configFile = value;
      continue;
    }
    const alias = COLLECTOR_ALIASES[name];
    const key = alias ?? keyOfFlag(name);
    const dot = key.indexOf('.');
    if (dot <= 0 || dot === key.length - 1)
      throw new FlagError(`unknown flag --${name}; see --help`);
    if (negated || alias) {
      if (value !== undefined)
        throw new FlagError(`--${negated ? 'no-' : ''}${name} takes no value`);
      setOverride(parsed.overrides, key, !negated);
      continue;
    }
    if (value === undefined) {
      const next = argv[index + 1];
      if (next !== undefined && !next.startsWith('--')) {
        value = next;
        index += 1;
      }
    }
    setOverride(
      parsed.overrides,
      key,
      value === undefined ? true : scalar(value),
      LIST_KEYS.has(key),
    );
  }
  return parsed;
}

function scalar(text: string): unknown {
  try {
    const value: unknown = parseYamlScalar(text);
    return value === null || typeof value === 'object' ? text : value;
  } catch {
    return text;
  }
}

function setOverride(
  overrides: Record<string, Record<string, unknown>>,
  key: string,
  value: unknown,
  list = false,
): void {
  const [section, ...rest] = key.split('.');
  const field = rest.join('.');
  const target = (overrides[section as string] ??= {});
  if (list) {
    const existing = target[field];
    target[field] = Array.isArray(existing) ? [...existing, value] : [value];
  } else {
    target[field] = value;
  }
}

/** Lays flag overrides over a file's configuration, section by section. */
export function mergeOverrides(
  base: Record<string, unknown>,
  overrides: Record<string, Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [section, fields] of Object.entries(overrides)) {
    const existing = merged[section];
    merged[section] = isRecord(existing) ? { ...existing, ...fields } : { ...fields };
  }
  return merged;
}
