/**
 * File paths in a configuration file are relative to the file's folder, as
 * Prometheus resolves rule_files and credentials files; paths given as flags stay
 * relative to the working directory.
 */
import { isAbsolute, resolve } from 'node:path';

const PATH_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['web', 'tls_cert_file'],
  ['web', 'tls_key_file'],
  ['log', 'file'],
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
    if (values === null || typeof values !== 'object' || Array.isArray(values)) continue;
    const value = (values as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value === '' || isAbsolute(value)) continue;
    resolved[section] = { ...(values as Record<string, unknown>), [key]: resolve(baseDir, value) };
  }
  return resolved;
}
