// A pino logger whose JSON lines are kept for assertions, parsed and as written.
import { Writable } from 'node:stream';
import { type Level, type Logger, pino } from 'pino';

export function capturingLogger(level: Level = 'info'): {
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
  return { logger: pino({ level }, stream), lines, texts };
}
