import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../src/cli/check-config.js';

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  return { io: { stdout, stderr }, text: () => ({ out, err }) };
}

async function file(name: string, content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-check-'));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('check-config', () => {
  it('reports success like promtool and exits 0', async () => {
    const path = await file('good.yml', 'monitoring:\n  collection_interval: 10s\n');
    const { io, text } = capture();
    expect(await checkConfig([path], io)).toBe(0);
    expect(text().out).toBe(`Checking ${path}\n  SUCCESS: ${path} is valid\n\n`);
  });

  it('lists every problem with its path and exits 1', async () => {
    const path = await file(
      'bad.yml',
      'monitoring:\n  collection_interval: often\n  colection: 1\n',
    );
    const { io, text } = capture();
    expect(await checkConfig([path], io)).toBe(1);
    expect(text().err).toBe(
      `  FAILED: ${path}:\n` +
        '    monitoring.collection_interval: expected a duration (like 5s, 1m30s or a number of seconds), got "often"\n' +
        '    monitoring.colection: unknown key\n\n',
    );
  });

  it('runs extra checks (the healing policy) on a valid file', async () => {
    const path = await file('ok.yml', '{}\n');
    const { io, text } = capture();
    const code = await checkConfig([path], io, [
      async () => [{ path: 'policy.yml: rules.0.action', message: 'unknown action "reboot"' }],
    ]);
    expect(code).toBe(1);
    expect(text().err).toContain('    policy.yml: rules.0.action: unknown action "reboot"\n');
  });

  it('asks for a file when given none', async () => {
    const { io, text } = capture();
    expect(await checkConfig([], io)).toBe(2);
    expect(text().err).toBe('check-config needs at least one FILE\n');
  });
});
