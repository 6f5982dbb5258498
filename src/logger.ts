/**
 * Structured logging: pino, written as JSON lines or as logfmt (`log.format`). Every line carries a stable `event` name
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
import { logfmtSink, type LogSink } from './logfmt.js';

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

/** Builds the agent's logger: stdout, plus an appended file when enabled, in `config.format`. */
export function createLogger(
  config: Pick<LogConfig, 'level' | 'enable_file' | 'file'> & Partial<Pick<LogConfig, 'format'>>,
  destination?: NodeJS.WritableStream,
): Logger {
  const options = loggerOptions(config.level);
  const format = (sink: LogSink): LogSink => (config.format === 'logfmt' ? logfmtSink(sink) : sink);
  if (destination) return pino(options, format(destination));
  const stdout = format(pinoDestination({ fd: 1, sync: false }));
  if (!config.enable_file) return pino(options, stdout);
  const file = format(
    pinoDestination({ dest: config.file, append: true, mkdir: true, sync: false }),
  );
  return pino(
    options,
    multistream([stdout, file].map((stream) => ({ stream, level: config.level }))),
  );
}

/** A logger that writes nothing, for library users who pass none and for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
