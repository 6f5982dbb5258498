/** The `log` section: pino JSON lines on stdout, and optionally a file. */
import { z } from 'zod';

export const logSchema = z.strictObject({
  /** Lowest level written: debug, info, warn or error. @default info */
  level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Also append the JSON lines to `file`. @default false */
  enable_file: z.boolean().default(false),
  /** The log file written when `enable_file` is on. @default aegis_sentinel.log */
  file: z.string().min(1).default('aegis_sentinel.log'),
});

export type LogConfig = z.output<typeof logSchema>;
