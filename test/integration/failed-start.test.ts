/** A start that fails on a configuration file writes nothing: no detector state file. */
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AegisSentinel, ConfigError } from '../../src/index.js';
import { silentLogger } from '../../src/logger.js';

interface Broken {
  web?: { config_file: string };
  recovery?: { policy_file: string };
}

describe('a failed start', () => {
  it.each<[string, Broken]>([
    ['a missing policy file', { recovery: { policy_file: 'missing-policy.yml' } }],
    ['a missing web configuration file', { web: { config_file: 'missing-web.yml' } }],
  ])('on %s leaves no detector state behind', async (_what, broken) => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-failed-start-'));
    const agent = new AegisSentinel(
      {
        ...broken,
        web: { listen_address: '127.0.0.1:0', ...broken.web },
        monitoring: { enable_container_monitoring: false },
        detection: { state_file: join(dir, 'state', 'detector-state.json') },
        recovery: { auth_disabled: true, audit_file: join(dir, 'audit.jsonl'), ...broken.recovery },
      },
      { logger: silentLogger() },
    );
    await expect(agent.start()).rejects.toBeInstanceOf(ConfigError);
    await agent.stop();
    expect(await readdir(dir)).toEqual([]);
  });
});
