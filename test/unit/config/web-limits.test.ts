// The server's limits are configuration keys, so each is a flag, with documented defaults.
import { describe, expect, it } from 'vitest';
import { parseFlags } from '../../../src/config/flags.js';
import { configFromFlags } from '../../../src/cli/run-config.js';
import { ConfigError } from '../../../src/errors.js';

describe('web limits', () => {
  it('default to 30s request, 10s headers, 30s body, 65s keep-alive, 512 connections', async () => {
    const { web } = await configFromFlags(parseFlags([]));
    expect(web).toMatchObject({
      request_timeout: 30,
      headers_timeout: 10,
      body_timeout: 30,
      keep_alive_timeout: 65,
      max_connections: 512,
    });
  });

  it('are set by exporter-style flags', async () => {
    const { web } = await configFromFlags(
      parseFlags([
        '--web.request-timeout=1m',
        '--web.headers-timeout=5s',
        '--web.body-timeout=2s',
        '--web.keep-alive-timeout=90s',
        '--web.max-connections=64',
      ]),
    );
    expect(web).toMatchObject({
      request_timeout: 60,
      headers_timeout: 5,
      body_timeout: 2,
      keep_alive_timeout: 90,
      max_connections: 64,
    });
  });

  it('refuse a headers timeout longer than the request timeout, naming it', async () => {
    const failure = configFromFlags(
      parseFlags(['--web.request-timeout=5s', '--web.headers-timeout=10s']),
    );
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toMatchObject({
      problems: [
        { path: 'web.headers_timeout', message: 'must not be longer than request_timeout' },
      ],
    });
  });

  it('refuse a connection cap of 0', async () => {
    await expect(configFromFlags(parseFlags(['--web.max-connections=0']))).rejects.toMatchObject({
      problems: [{ path: 'web.max_connections', message: 'Too small: expected number to be >=1' }],
    });
  });
});
