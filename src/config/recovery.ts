/** The `recovery` section: the healer's switches and limits. */
import { z } from 'zod';
import { duration } from './duration.js';

export const recoverySchema = z.strictObject({
  /** Allow `docker_restart` actions (only on containers that opt in by label). @default true */
  enable_docker_recovery: z.boolean().default(true),
  /** Allow `cache_flush` actions on configured Redis caches. @default true */
  enable_cache_recovery: z.boolean().default(true),
  /** Allow `service_restart` actions on configured systemd units. @default true */
  enable_service_recovery: z.boolean().default(true),
  /** Most remediation actions running at once. @default 3 */
  max_concurrent_actions: z.number().int().min(1).max(100).default(3),
  /** Default time limit of one action, after which it is killed and counted as failed. @default 120s */
  action_timeout: duration({ min: 0.001, max: 3600 }).default(120),
});

export type RecoveryConfig = z.output<typeof recoverySchema>;
export type RecoveryConfigInput = z.input<typeof recoverySchema>;
