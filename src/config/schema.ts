/** The whole configuration: one typed object, every field documented with its default. */
import { z } from 'zod';
import { detectionSchema } from './detection.js';
import { pathSchema } from './host-paths.js';
import { logSchema } from './log.js';
import { monitoringSchema } from './monitoring.js';
import { recoverySchema } from './recovery.js';
import { webSchema } from './web.js';

export const configSchema = z.strictObject({
  web: webSchema.prefault({}),
  log: logSchema.prefault({}),
  monitoring: monitoringSchema.prefault({}),
  path: pathSchema.prefault({}),
  detection: detectionSchema.prefault({}),
  recovery: recoverySchema.prefault({}),
});

/** The configuration after validation, with every default filled in. */
export type SentinelConfig = z.output<typeof configSchema>;
/** What a caller or a YAML file may give: every field optional. */
export type SentinelConfigInput = z.input<typeof configSchema>;
