import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReferencedWebConfig } from '../../../src/cli/check-web-config.js';
import { validateConfig } from '../../../src/config/validate.js';

describe('check-config on web.config_file', () => {
  it('names the web configuration file and its bad key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-check-web-'));
    const file = join(dir, 'web.yml');
    await writeFile(file, 'tls_server_config:\n  min_version: TLS9\n');
    const config = validateConfig({ web: { config_file: file } });
    expect(await checkReferencedWebConfig(config)).toEqual([
      {
        path: `${file}:tls_server_config.min_version`,
        message: 'Invalid option: expected one of "TLS10"|"TLS11"|"TLS12"|"TLS13"',
      },
    ]);
    await writeFile(file, 'basic_auth_users: {}\n');
    expect(await checkReferencedWebConfig(config)).toEqual([]);
    expect(await checkReferencedWebConfig(validateConfig({}))).toEqual([]);
  });
});
