/**
 * File paths in a configuration file are relative to the file's folder, as
 * Prometheus resolves rule_files and credentials files; paths given as flags stay
 * relative to the working directory.
 */
import { isAbsolute, resolve } from 'node:path';
import { isRecord } from '../util/is-record.js';

const PATH_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['web', 'config_file'],
  ['web', 'tls_cert_file'],
  ['web', 'tls_key_file'],
  ['log', 'file'],
  ['path', 'procfs'],
  ['path', 'sysfs'],
  ['path', 'rootfs'],
  ['detection', 'state_file'],
  ['recovery', 'policy_file'],
  ['recovery', 'auth_token_file'],
  ['recovery', 'audit_file'],
];

/** Returns a copy of `raw` with its relative file paths resolved against `baseDir`. */
export function resolveConfigPaths(
  raw: Record<string, unknown>,
  baseDir: string,
): Record<string, unknown> {
  const resolved: Record<string, unknown> = { ...raw };
  for (const [section, key] of PATH_KEYS) {
    const values = resolved[section];
    if (!isRecord(values)) continue;
    const value = values[key];
    if (typeof value !== 'string' || value === '' || isAbsolute(value)) continue;
    resolved[section] = { ...values, [key]: resolve(baseDir, value) };
  }
  return resolved;
}
