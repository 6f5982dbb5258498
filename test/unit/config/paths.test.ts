import { describe, expect, it } from 'vitest';
import { resolveConfigPaths } from '../../../src/config/paths.js';

describe('resolveConfigPaths', () => {
  it('resolves relative file paths against the config file folder and leaves the rest', () => {
    expect(
      resolveConfigPaths(
        {
          web: {
            listen_address: ':8737',
            tls_cert_file: 'tls/cert.pem',
            tls_key_file: '/etc/key.pem',
          },
          recovery: {
            policy_file: 'policy.yml',
            auth_token_file: '../secrets/token',
            max_concurrent_actions: 3,
          },
          detection: { state_file: 'data/state.json' },
          monitoring: { api_endpoints: ['http://x/'] },
          path: { procfs: 'fake/proc', rootfs: '/host' },
        },
        '/etc/aegis',
      ),
    ).toEqual({
      web: {
        listen_address: ':8737',
        tls_cert_file: '/etc/aegis/tls/cert.pem',
        tls_key_file: '/etc/key.pem',
      },
      recovery: {
        policy_file: '/etc/aegis/policy.yml',
        auth_token_file: '/etc/secrets/token',
        max_concurrent_actions: 3,
      },
      detection: { state_file: '/etc/aegis/data/state.json' },
      monitoring: { api_endpoints: ['http://x/'] },
      path: { procfs: '/etc/aegis/fake/proc', rootfs: '/host' },
    });
  });

  it('leaves sections of the wrong shape for validation to report', () => {
    expect(resolveConfigPaths({ web: 'nonsense', log: null }, '/etc')).toEqual({
      web: 'nonsense',
      log: null,
    });
  });
});
