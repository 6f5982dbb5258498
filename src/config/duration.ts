/**
 * Durations in configuration: a Prometheus-style string (`500ms`, `5s`, `1m30s`,
 * `2h`) or a plain number of seconds (`5`, `0.5`), as the original design took
 * `collection_interval=5.0`. Parsed values are always seconds.
 */
import { z } from 'zod';

// Units in the order Prometheus requires them (largest first), each at most once.
const UNIT_ORDER = ['y', 'w', 'd', 'h', 'm', 's', 'ms'] as const;

const UNIT_SECONDS: Record<(typeof UNIT_ORDER)[number], number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

// One optional group per unit, in UNIT_ORDER.
const DURATION_PATTERN =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Parses a Prometheus duration string into seconds; undefined when it is not one. */
export function parseDurationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const match = DURATION_PATTERN.exec(trimmed);
  if (!match) return undefined;
  let total = 0;
  UNIT_ORDER.forEach((unit, index) => {
    const amount = match[index + 1];
    if (amount !== undefined) total += Number(amount) * UNIT_SECONDS[unit];
  });
  return total;
}

/** Formats seconds back into the shortest Prometheus duration string (`90` -> `1m30s`). */
export function formatDuration(seconds: number): string {
  let remainingMs = Math.round(seconds * 1000);
  if (remainingMs === 0) return '0s';
  let out = '';
  for (const unit of UNIT_ORDER) {
    const unitMs = UNIT_SECONDS[unit] * 1000;
    const count = Math.floor(remainingMs / unitMs);
    if (count > 0) {
      out += `${count}${unit}`;
      remainingMs -= count * unitMs;
    }
  }
  return out;
}

/** A zod schema for a duration field: accepts a string or a number, yields seconds. */
export function duration(options: { min?: number; max?: number } = {}) {
  const { min = 0, max = Number.POSITIVE_INFINITY } = options;
  return z
    .union([z.number(), z.string()], { error: 'expected a duration' })
    .transform((raw, ctx) => {
      const seconds = typeof raw === 'number' ? raw : parseDurationSeconds(raw);
      if (seconds === undefined || !Number.isFinite(seconds)) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration (like 5s, 1m30s or a number of seconds), got ${JSON.stringify(raw)}`,
        });
        return z.NEVER;
      }
      if (seconds < min || seconds > max) {
        ctx.addIssue({
          code: 'custom',
          message: `expected a duration between ${formatDuration(min)} and ${Number.isFinite(max) ? formatDuration(max) : 'infinity'}, got ${JSON.stringify(raw)}`,
        });
        return z.NEVER;
      }
      return seconds;
    });
}
