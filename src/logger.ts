/**
 * Structured logging: pino JSON lines. Every line carries a stable `event` name
 * (`agent_started`, `collector_failed`, `anomaly_detected`, ...) and, where they apply,
 * `metric`, `value`, `action` and `target`, so that logs can be queried like metrics.
 */
import {
  destination as pinoDestination,
  multistream,
  pino,
  stdTimeFunctions,
  type Logger,
  type LoggerOptions,
} from 'pino';
import type { LogConfig } from './config/log.js';

export type { Logger } from 'pino';

/** What every line of the agent's log looks like: ISO time, level by name, the service. */
export function loggerOptions(level: LogConfig['level']): LoggerOptions {
  return {
    level,
    base: { service: 'aegis-sentinel' },
    timestamp: stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
}

/** Builds the agent's logger: stdout, plus an appended file when enabled. */
export function createLogger(config: LogConfig, destination?: NodeJS.WritableStream): Logger {
  const options = loggerOptions(config.level);
  if (destination) return pino(options, destination);
  const stdout = pinoDestination({ fd: 1, sync: false });
  if (!config.enable_file) return pino(options, stdout);
  const file = pinoDestination({ dest: config.file, append: true, mkdir: true, sync: false });
  return pino(
    options,
    multistream([stdout, file].map((stream) => ({ stream, level: config.level }))),
  );
}

/** A logger that writes nothing, for library users who pass none and for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
