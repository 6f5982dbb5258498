// The agent's logger (its format: ISO time, level names), its JSON lines kept for
// assertions, parsed and as written.
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import type { LogConfig } from '../../src/config/log.js';
import { loggerOptions } from '../../src/logger.js';

export function capturingLogger(level: LogConfig['level'] = 'info'): {
  logger: Logger;
  lines: Record<string, unknown>[];
  texts: string[];
} {
  const lines: Record<string, unknown>[] = [];
  const texts: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) {
          texts.push(line);
          lines.push(JSON.parse(line) as Record<string, unknown>);
        }
      done();
    },
  });
  return { logger: pino(loggerOptions(level), stream), lines, texts };
}
