/**
 * logfmt, as node_exporter and the rest of the Prometheus ecosystem log: one line of
 * `key=value` pairs per record. It rewrites pino's JSON lines in the stream pino
 * writes to, so the logger itself stays the same whichever format is chosen.
 */

/** A key as logfmt allows it: no spaces, `=`, quotes or control characters. */
function logfmtKey(key: string): string {
  // eslint-disable-next-line no-control-regex
  return key.replace(/[\s="\u0000-\u001f\u007f]/g, '_') || '_';
}

/** A value: bare when it can be, else double-quoted with JSON's escapes. */
function logfmtValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // eslint-disable-next-line no-control-regex
  return text === '' || /[\s="\\\u0000-\u001f\u007f]/.test(text) ? JSON.stringify(text) : text;
}

/** Pairs of a record, `time`, `level` and `msg` first; nested objects become dotted keys. */
function pairs(record: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const [key, value] of Object.entries(record)) {
    const name = prefix + key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      pairs(value as Record<string, unknown>, `${name}.`, out);
    } else {
      out.push(`${logfmtKey(name)}=${logfmtValue(value)}`);
    }
  }
}

/** One pino JSON line as one logfmt line; a line that is not a JSON object passes through as `msg`. */
export function jsonLineToLogfmt(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    record = undefined;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record))
    return `msg=${logfmtValue(line.trimEnd())}\n`;
  const { time, level, msg, ...rest } = record as Record<string, unknown>;
  const head = Object.entries({ time, level, msg }).filter(([, value]) => value !== undefined);
  const out: string[] = [];
  pairs(Object.fromEntries(head), '', out);
  pairs(rest, '', out);
  return `${out.join(' ')}\n`;
}

/** What pino writes to: anything with write(), and flush() when it has one. */
export interface LogSink {
  write(chunk: string): unknown;
  flush?(callback?: (error?: Error) => void): void;
}

/** A sink that writes logfmt to `target` whatever pino hands it. */
export function logfmtSink(target: LogSink): LogSink {
  return {
    write: (chunk: string) =>
      target.write(
        chunk
          .split('\n')
          .filter((line) => line !== '')
          .map(jsonLineToLogfmt)
          .join(''),
      ),
    flush: (callback) => (target.flush ? target.flush(callback) : callback?.()),
  };
}
