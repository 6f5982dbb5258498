import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import {
  readWebConfigFile,
  webConfigFileSchema,
  webSettingsFrom,
} from '../../../src/config/web-config-file.js';
import { ConfigError } from '../../../src/errors.js';

const HASH = '$2b$04$xdGSvGEJIfzPGRQb8CbQD.Rf.AyWloPhmIDx8nl9ukrWjz/iesCoS';

async function problemsOf(raw: unknown): Promise<string[]> {
  try {
    await webSettingsFrom(raw, 'web.yml', '/nowhere');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the web configuration to be rejected');
}

describe('web configuration file (exporter-toolkit format)', () => {
  it('reads TLS files relative to itself, with the toolkit defaults', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-webcfg-'));
    await writeFile(join(dir, 'c.pem'), 'CERT');
    await writeFile(join(dir, 'k.pem'), 'KEY');
    await writeFile(
      join(dir, 'web.yml'),
      `tls_server_config:\n  cert_file: c.pem\n  key_file: k.pem\nbasic_auth_users:\n  alice: ${HASH}\nhttp_server_config:\n  headers:\n    X-Frame-Options: deny\n`,
    );
    const settings = await readWebConfigFile(join(dir, 'web.yml'));
    expect(settings.tls).toMatchObject({
      clientAuthType: 'NoClientCert',
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      honorCipherOrder: true,
    });
    expect(String(settings.tls?.cert)).toBe('CERT');
    expect(settings.basicAuthUsers).toEqual({ alice: HASH });
    expect(settings.headers).toEqual({ 'X-Frame-Options': 'deny' });
  });

  it('serves plain HTTP without a certificate, and basic auth only with users', async () => {
    expect(await webSettingsFrom({}, 'web.yml', '/')).toEqual({ headers: {} });
    expect(await webSettingsFrom({ basic_auth_users: {} }, 'web.yml', '/')).toEqual({
      headers: {},
    });
  });

  it.each([
    [
      { tls_server_config: { cert_file: 'c.pem' } },
      'tls_server_config.key_file: required with cert_file (or key with cert)',
    ],
    [
      { tls_server_config: { cert: 'C', key: 'K', min_version: 'TLS14' } },
      'tls_server_config.min_version: Invalid option: expected one of "TLS10"|"TLS11"|"TLS12"|"TLS13"',
    ],
    [
      { tls_server_config: { cert: 'C', key: 'K', min_version: 'TLS13', max_version: 'TLS12' } },
      'tls_server_config.min_version: TLS13 is above max_version TLS12',
    ],
    [
      {
        tls_server_config: { cert: 'C', key: 'K', client_auth_type: 'RequireAndVerifyClientCert' },
      },
      'tls_server_config.client_ca_file: required with client_auth_type RequireAndVerifyClientCert',
    ],
    [{ tls_server_config: { certfile: 'c.pem' } }, 'tls_server_config.certfile: unknown key'],
    [
      { basic_auth_users: { alice: 'alice123' } },
      `basic_auth_users.alice: expected a bcrypt hash like $2y$10$… (htpasswd -nBC 10 "" | tr -d ':\\n')`,
    ],
    [
      { http_server_config: { headers: { 'X-Frame-Options': 'allow' } } },
      'http_server_config.headers.X-Frame-Options: expected deny or sameorigin',
    ],
    [
      { tls_server_config: { cert: 'C', key: 'K', cipher_suites: ['TLS_AES_128_GCM_SHA256'] } },
      "tls_server_config.cipher_suites: not supported by aegis-sentinel: Go's cipher suite names; remove it to use Node.js's (OpenSSL's) defaults",
    ],
  ])('refuses %j naming the key', async (raw, problem) => {
    expect(await problemsOf(raw)).toEqual([problem]);
  });

  it('ships an example whose only gap is the hash the operator must put in', async () => {
    const file = join(import.meta.dirname, '../../../examples/web-config.yml');
    const result = webConfigFileSchema.safeParse(parse(await readFile(file, 'utf8')));
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'basic_auth_users.prometheus',
    ]);
  });

  it('names a certificate file it cannot read', async () => {
    expect(
      await problemsOf({ tls_server_config: { cert_file: 'missing.pem', key_file: 'k.pem' } }),
    ).toEqual(['tls_server_config.cert_file: cannot read /nowhere/missing.pem: no such file']);
  });
});
