import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';

describe('createLogger', () => {
  it('writes JSON lines with level names, ISO time, the service and the event', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (chunk) => (out += chunk));
    const logger = createLogger({ level: 'info', enable_file: false, file: 'unused.log' }, stream);
    logger.debug({ event: 'too_quiet' }, 'not written');
    logger.warn(
      { event: 'anomaly_detected', series: 'cpu_utilisation', value: 0.97 },
      'anomaly detected',
    );
    await new Promise((resolve) => setImmediate(resolve));
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'warn',
      service: 'aegis-sentinel',
      event: 'anomaly_detected',
      series: 'cpu_utilisation',
      value: 0.97,
      msg: 'anomaly detected',
    });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('also appends to the log file when enabled', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'aegis-log-')), 'logs', 'aegis_sentinel.log');
    const logger = createLogger({ level: 'info', enable_file: true, file });
    logger.info({ event: 'agent_started' }, 'started');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const written = JSON.parse((await readFile(file, 'utf8')).trim()) as Record<string, unknown>;
    expect(written).toMatchObject({ level: 'info', event: 'agent_started' });
  });
});
