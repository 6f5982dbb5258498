/**
 * --web.config.file in exporter-toolkit's format: TLS with a throwaway certificate and
 * basic auth with a bcrypt hash, on a running agent; and a bad file refused by name.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AegisSentinel, ConfigError } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { throwawayCertificate, type Certificate } from './support/certificate.js';

/** alice's password is alice123 (a libxcrypt hash, as htpasswd -B makes them; cost 4 for speed). */
const ALICE = '$2y$04$xdGSvGEJIfzPGRQb8CbQD.Rf.AyWloPhmIDx8nl9ukrWjz/iesCoS';

let cert: Certificate;
let ca: Buffer;
let sentinel: AegisSentinel;

beforeAll(async () => {
  cert = await throwawayCertificate();
  ca = await readFile(cert.certFile);
  // Relative paths: the file's own folder anchors them, as exporter-toolkit does.
  await writeFile(
    join(cert.dir, 'web.yml'),
    [
      'tls_server_config:',
      '  cert_file: cert.pem',
      '  key_file: key.pem',
      '  min_version: TLS13',
      'basic_auth_users:',
      `  alice: ${ALICE}`,
      'http_server_config:',
      '  headers:',
      '    X-Content-Type-Options: nosniff',
      '',
    ].join('\n'),
  );
  sentinel = new AegisSentinel(
    {
      web: { listen_address: '127.0.0.1:0', config_file: join(cert.dir, 'web.yml') },
      monitoring: { enable_container_monitoring: false },
    },
    { logger: silentLogger() },
  );
  await sentinel.start();
});

afterAll(() => sentinel?.stop());

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  protocol: string | null;
}

function get(path: string, auth?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: sentinel.address()!.port,
        path,
        ca,
        rejectUnauthorized: true,
        ...(auth ? { auth } : {}),
      },
      (res) => {
        const protocol = (res.socket as TLSSocket).getProtocol();
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            protocol,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('--web.config.file', () => {
  it('completes a TLS handshake at the configured minimum version', async () => {
    const answer = await get('/healthz', 'alice:alice123');
    expect(answer.protocol).toBe('TLSv1.3');
  });

  it('answers 401 without credentials or with wrong ones, on every path', async () => {
    for (const path of ['/metrics', '/status', '/healthz', '/']) {
      const answer = await get(path);
      expect(answer.status, path).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Basic /);
    }
    expect((await get('/metrics', 'alice:wrong')).status).toBe(401);
  });

  it('answers 200 with the credentials, with the configured headers', async () => {
    const answer = await get('/metrics', 'alice:alice123');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('aegis_build_info{');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses to start on a bad web configuration file, naming the file and the key', async () => {
    const bad = join(cert.dir, 'bad.yml');
    await writeFile(
      bad,
      'tls_server_config:\n  cert_file: cert.pem\nbasic_auth_users:\n  bob: hunter2\n',
    );
    const agent = new AegisSentinel(
      {
        web: { listen_address: '127.0.0.1:0', config_file: bad },
        monitoring: { enable_container_monitoring: false },
      },
      { logger: silentLogger() },
    );
    const failure = await agent.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    await agent.stop();
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).message).toBe(
      `${bad}: invalid configuration:\n` +
        '  tls_server_config.key_file: required with cert_file (or key with cert)\n' +
        `  basic_auth_users.bob: expected a bcrypt hash like $2y$10$… (htpasswd -nBC 10 "" | tr -d ':\\n')`,
    );
  });
});
