/**
 * The deprecated web.tls_cert_file / web.tls_key_file: the agent still speaks HTTPS with
 * the operator's certificate (web-config.test.ts covers --web.config.file).
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AegisSentinel } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';
import { throwawayCertificate } from './support/certificate.js';

let dir: string;
let sentinel: AegisSentinel;

beforeAll(async () => {
  ({ dir } = await throwawayCertificate());
  sentinel = new AegisSentinel(
    {
      web: {
        listen_address: '127.0.0.1:0',
        tls_cert_file: join(dir, 'cert.pem'),
        tls_key_file: join(dir, 'key.pem'),
      },
      monitoring: { enable_container_monitoring: false },
    },
    { logger: silentLogger() },
  );
  await sentinel.start();
});

afterAll(() => sentinel?.stop());

function get(path: string, ca: Buffer | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: sentinel.address()!.port, path, ca, rejectUnauthorized: true },
      (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('TLS', () => {
  it('serves /metrics over HTTPS to a client that trusts the certificate', async () => {
    const response = await get('/metrics', await readFile(join(dir, 'cert.pem')));
    expect(response.status).toBe(200);
    expect(response.body).toContain('aegis_build_info{');
  });

  it('is refused by a client that does not trust it', async () => {
    await expect(get('/healthz', undefined)).rejects.toThrow(/self-signed certificate/);
  });

  it('does not speak plain HTTP on the same port', async () => {
    await expect(fetch(`http://127.0.0.1:${sentinel.address()!.port}/healthz`)).rejects.toThrow();
  });
});
