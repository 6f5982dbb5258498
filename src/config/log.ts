/** The `log` section: one line per record on stdout (JSON or logfmt), and optionally a file. */
import { z } from 'zod';

export const logSchema = z.strictObject({
  /** Lowest level written: debug, info, warn or error. @default info */
  level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /**
   * Line format: `json` (pino's JSON lines) or `logfmt` (`key=value` pairs, node_exporter's
   * default). JSON stays the default so that existing log pipelines keep parsing. @default json
   */
  format: z.enum(['json', 'logfmt']).default('json'),
  /** Also append the log lines to `file`. @default false */
  enable_file: z.boolean().default(false),
  /** The log file written when `enable_file` is on. @default aegis_sentinel.log */
  file: z.string().min(1).default('aegis_sentinel.log'),
});

export type LogConfig = z.output<typeof logSchema>;
