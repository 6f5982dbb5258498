import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { jsonLineToLogfmt } from '../../src/logfmt.js';

describe('jsonLineToLogfmt', () => {
  it('puts time, level and msg first and leaves plain values bare', () => {
    expect(
      jsonLineToLogfmt(
        '{"level":"info","time":"2026-01-02T03:04:05.678Z","service":"aegis-sentinel","event":"agent_started","tls":false,"port":8737,"msg":"Aegis Sentinel started"}\n',
      ),
    ).toBe(
      'time=2026-01-02T03:04:05.678Z level=info msg="Aegis Sentinel started" service=aegis-sentinel event=agent_started tls=false port=8737\n',
    );
  });

  it('quotes and escapes what needs it, and flattens objects into dotted keys', () => {
    expect(
      jsonLineToLogfmt(
        JSON.stringify({
          level: 'error',
          msg: 'a "quoted"\nline',
          empty: '',
          eq: 'a=b',
          path: 'C:\\x',
          err: { type: 'Error', message: 'boom' },
          list: [1, 'two'],
          none: null,
          'odd key': 1,
        }),
      ),
    ).toBe(
      'level=error msg="a \\"quoted\\"\\nline" empty="" eq="a=b" path="C:\\\\x" err.type=Error err.message=boom list="[1,\\"two\\"]" none=null odd_key=1\n',
    );
  });

  it('passes a line that is not a JSON object through as msg', () => {
    expect(jsonLineToLogfmt('not json\n')).toBe('msg="not json"\n');
  });
});

describe('createLogger with format logfmt', () => {
  it('writes one logfmt line per record', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (chunk) => (out += chunk));
    const logger = createLogger(
      { level: 'info', format: 'logfmt', enable_file: false, file: 'unused.log' },
      stream,
    );
    logger.debug({ event: 'too_quiet' }, 'not written');
    logger.warn({ event: 'anomaly_detected', series: 'cpu_utilisation', value: 0.97 }, 'anomaly');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out).toMatch(
      /^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=warn msg=anomaly service=aegis-sentinel event=anomaly_detected series=cpu_utilisation value=0\.97\n$/,
    );
  });
});
