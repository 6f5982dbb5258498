import { describe, expect, it } from 'vitest';
import { mergeOverrides, parseFlags } from '../../../src/config/flags.js';
import { FlagError } from '../../../src/errors.js';

describe('parseFlags', () => {
  it('maps exporter-style flags onto configuration keys', () => {
    const flags = parseFlags([
      '--web.listen-address=127.0.0.1:9999',
      '--log.level',
      'debug',
      '--monitoring.collection-interval=1s',
    ]);
    expect(flags.overrides).toEqual({
      web: { listen_address: '127.0.0.1:9999' },
      log: { level: 'debug' },
      monitoring: { collection_interval: '1s' },
    });
  });

  it('spells web.config_file as the Prometheus ecosystem does, --web.config.file', () => {
    expect(
      parseFlags(['--web.config.file=web.yml', '--web.telemetry-path=/m', '--log.format=logfmt'])
        .overrides,
    ).toEqual({
      web: { config_file: 'web.yml', telemetry_path: '/m' },
      log: { format: 'logfmt' },
    });
  });

  it("takes node_exporter's --path.procfs, --path.sysfs and --path.rootfs", () => {
    const flags = parseFlags([
      '--path.procfs=/host/proc',
      '--path.sysfs',
      '/host/sys',
      '--path.rootfs=/host',
    ]);
    expect(flags.overrides).toEqual({
      path: { procfs: '/host/proc', sysfs: '/host/sys', rootfs: '/host' },
    });
  });

  it('reads numbers and booleans as such', () => {
    const flags = parseFlags([
      '--detection.isolation-n-estimators=200',
      '--monitoring.enable-disk-monitoring=false',
    ]);
    expect(flags.overrides).toEqual({
      detection: { isolation_n_estimators: 200 },
      monitoring: { enable_disk_monitoring: false },
    });
  });

  it('takes --no-x and node_exporter collector switches', () => {
    const flags = parseFlags([
      '--no-collector.containers',
      '--collector.host',
      '--no-monitoring.enable-network-monitoring',
    ]);
    expect(flags.overrides).toEqual({
      monitoring: {
        enable_container_monitoring: false,
        enable_host_monitoring: true,
        enable_network_monitoring: false,
      },
    });
  });

  it('collects repeated endpoint flags into a list', () => {
    const flags = parseFlags([
      '--monitoring.api-endpoints=http://a/',
      '--monitoring.api-endpoints=http://b/',
    ]);
    expect(flags.overrides).toEqual({ monitoring: { api_endpoints: ['http://a/', 'http://b/'] } });
  });

  it('collects every list-valued key from its flag, once or repeated', () => {
    const flags = parseFlags([
      '--recovery.allowed-commands=/bin/true',
      '--recovery.allowed-commands=/bin/false',
      '--recovery.allowed-units=nginx.service',
    ]);
    expect(flags.overrides).toEqual({
      recovery: { allowed_commands: ['/bin/true', '/bin/false'], allowed_units: ['nginx.service'] },
    });
  });

  it('separates the config file, commands and help', () => {
    const flags = parseFlags(['check-config', 'a.yml', '--config.file', 'agent.yml', '--help']);
    expect(flags.positionals).toEqual(['check-config', 'a.yml']);
    expect(flags.configFile).toBe('agent.yml');
    expect(flags.help).toBe(true);
  });

  it.each([
    [['--verbose'], 'unknown flag --verbose; see --help'],
    [['-v'], 'unknown flag -v; see --help'],
    [['--config.file'], '--config.file needs a file path'],
    [['--collector.host=yes'], '--collector.host takes no value'],
  ])('rejects %j', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(new FlagError(message));
  });
});

describe('mergeOverrides', () => {
  it('lays flags over a file section by section', () => {
    expect(
      mergeOverrides(
        {
          monitoring: { collection_interval: 10, api_endpoints: ['http://x/'] },
          log: { level: 'warn' },
        },
        { monitoring: { collection_interval: 1 } },
      ),
    ).toEqual({
      monitoring: { collection_interval: 1, api_endpoints: ['http://x/'] },
      log: { level: 'warn' },
    });
  });
});
