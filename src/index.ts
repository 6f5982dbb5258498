/** The package root: the agent, its configuration types and the errors a caller can meet. */
export { AegisSentinel, withSentinel } from './sentinel.js';
export type { SentinelOptions, SentinelStatus, ServiceStatus } from './sentinel.js';
export type { SentinelConfig, SentinelConfigInput } from './config/schema.js';
export type {
  MonitoringConfig,
  MonitoringConfigInput,
  EndpointConfig,
} from './config/monitoring.js';
export type { DetectionConfig, DetectionConfigInput } from './config/detection.js';
export type { RecoveryConfig, RecoveryConfigInput } from './config/recovery.js';
export type { Snapshot } from './collect/snapshot.js';
export { validateConfig } from './config/validate.js';
export {
  ConfigError,
  FlagError,
  LifecycleError,
  SentinelError,
  type ConfigProblem,
} from './errors.js';
