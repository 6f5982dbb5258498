/**
 * Alertmanager's webhook payload, version "4". Unknown fields are ignored so a newer
 * Alertmanager's additions do not break us; the fields the healer relies on are strict.
 */
import { z } from 'zod';
import { describeIssues } from '../config/validate.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const labelSet = z.record(
  z.string().regex(LABEL_NAME, 'expected a label name ([a-zA-Z_][a-zA-Z0-9_]*)'),
  z.string(),
);

const timestamp = z.iso.datetime({ offset: true, error: 'expected an RFC 3339 timestamp' });

export const alertSchema = z.object({
  status: z.enum(['firing', 'resolved'], { error: 'expected "firing" or "resolved"' }),
  labels: labelSet.refine((labels) => labels.alertname !== undefined && labels.alertname !== '', {
    message: 'required: an alertname label',
    path: ['alertname'],
  }),
  annotations: labelSet.default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().default(''),
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/, 'expected 16 lowercase hex digits'),
});

export const notificationSchema = z.object({
  version: z.literal('4', { error: 'expected "4" (Alertmanager webhook version)' }),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved'], { error: 'expected "firing" or "resolved"' }),
  receiver: z.string(),
  groupLabels: labelSet.default({}),
  commonLabels: labelSet.default({}),
  commonAnnotations: labelSet.default({}),
  externalURL: z.string().default(''),
  alerts: z.array(alertSchema).min(1, 'expected at least one alert'),
});

export type Alert = z.output<typeof alertSchema>;
export type Notification = z.output<typeof notificationSchema>;

/** Schema problems as `path: message`, the path dotted from the body's root (`alerts.0.status`). */
export function schemaProblems(
  issues: readonly z.core.$ZodIssue[],
): { path: string; message: string }[] {
  return describeIssues(
    issues.map((issue) =>
      // A bad record key: report the key's own complaint, not "Invalid key in record".
      issue.code === 'invalid_key'
        ? { ...issue, code: 'custom' as const, message: issue.issues[0]?.message ?? issue.message }
        : issue,
    ) as z.core.$ZodIssue[],
  );
}
