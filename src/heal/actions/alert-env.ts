/**
 * The alert, as environment variables for `exec`: the program reads its context from
 * its environment, never from a command line a shell could interpret.
 *
 * - `AEGIS_LABEL_<NAME>` for each label, `AEGIS_ANNOTATION_<NAME>` for each annotation;
 *   NAME is the label or annotation name upper-cased, with every character other than
 *   A-Z, 0-9 and _ replaced by _ (`summary` → `AEGIS_ANNOTATION_SUMMARY`,
 *   `runbook-url` → `AEGIS_ANNOTATION_RUNBOOK_URL`). When two names map to one variable,
 *   the name that sorts first wins.
 * - `AEGIS_ALERT_STATUS`, `AEGIS_ALERT_FINGERPRINT`, `AEGIS_ALERT_STARTS_AT`.
 *
 * Values are passed as they are, except that NUL (which execve cannot carry) is removed
 * and each is cut at MAX_VALUE_BYTES.
 */
import type { HealAlert } from '../policy/planner.js';

/** Longest value kept; longer ones are cut. Linux limits one variable to 128 KiB. */
export const MAX_VALUE_BYTES = 8_192;

/** `AEGIS_<KIND>_<NAME>` for a label or annotation name. */
export function envName(kind: 'LABEL' | 'ANNOTATION', name: string): string {
  return `AEGIS_${kind}_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

function envValue(value: string): string {
  const clean = value.replaceAll('\0', '');
  if (Buffer.byteLength(clean) <= MAX_VALUE_BYTES) return clean;
  // Cut on a character boundary: a lone surrogate half would not survive encoding.
  return Buffer.from(clean)
    .subarray(0, MAX_VALUE_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

function addAll(
  env: Record<string, string>,
  kind: 'LABEL' | 'ANNOTATION',
  fields: Readonly<Record<string, string>>,
): void {
  for (const name of Object.keys(fields).sort()) {
    const key = envName(kind, name);
    if (!Object.hasOwn(env, key)) env[key] = envValue(fields[name] as string);
  }
}

/** The variables an `exec` of `alert` receives, besides PATH and LANG. */
export function alertEnvironment(
  alert: Pick<HealAlert, 'status' | 'labels' | 'annotations' | 'fingerprint' | 'startsAt'>,
): Record<string, string> {
  const env: Record<string, string> = {
    AEGIS_ALERT_STATUS: alert.status,
    AEGIS_ALERT_FINGERPRINT: alert.fingerprint,
    AEGIS_ALERT_STARTS_AT: alert.startsAt,
  };
  addAll(env, 'LABEL', alert.labels);
  addAll(env, 'ANNOTATION', alert.annotations ?? {});
  return env;
}
