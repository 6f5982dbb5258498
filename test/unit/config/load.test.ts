import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfigText, readConfigFile } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

describe('readConfigFile', () => {
  it('reads a YAML mapping', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-load-'));
    const file = join(dir, 'agent.yml');
    await writeFile(file, 'monitoring:\n  collection_interval: 10s\n');
    expect(await readConfigFile(file)).toEqual({ monitoring: { collection_interval: '10s' } });
  });

  it('names a missing file', async () => {
    await expect(readConfigFile('/nonexistent/agent.yml')).rejects.toThrow(
      '/nonexistent/agent.yml: invalid configuration:\n  (root): cannot read: no such file',
    );
  });
});

describe('parseConfigText', () => {
  it('treats an empty file as all defaults', () => {
    expect(parseConfigText('', 'empty.yml')).toEqual({});
  });

  it('gives the line of a syntax error', () => {
    try {
      parseConfigText('monitoring:\n  collection_interval: [5s\n', 'bad.yml');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems[0]?.message).toMatch(
        /^YAML syntax error at line \d+: /,
      );
    }
  });

  it('rejects duplicate keys, which YAML forbids', () => {
    expect(() => parseConfigText('log: {}\nlog: {}\n', 'dup.yml')).toThrow(
      /YAML syntax error at line 2/,
    );
  });

  it('rejects a top level that is not a mapping', () => {
    expect(() => parseConfigText('- a\n- b\n', 'list.yml')).toThrow(
      'list.yml: invalid configuration:\n  (root): expected a mapping at the top level',
    );
  });
});
