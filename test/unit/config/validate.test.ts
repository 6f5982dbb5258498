import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/validate.js';
import { ConfigError } from '../../../src/errors.js';

function problemsOf(raw: unknown): string[] {
  try {
    validateConfig(raw, 'test.yml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected the configuration to be rejected');
}

describe('validateConfig', () => {
  it('fills in the documented defaults from nothing', () => {
    const config = validateConfig({});
    expect(config.monitoring.collection_interval).toBe(5);
    expect(config.monitoring.api_endpoints).toEqual([]);
    expect(config.monitoring.enable_network_monitoring).toBe(true);
    expect(config.monitoring.enable_disk_monitoring).toBe(true);
    // The original design's 0.1 would make one ordinary row in ten a host alarm.
    expect(config.detection.isolation_contamination).toBe(0.0001);
    expect(config.detection.isolation_n_estimators).toBe(100);
    expect(config.detection.min_samples_for_detection).toBe(300);
    expect(config.detection.alarm_rest_samples).toBe(200);
    expect(config.recovery.max_concurrent_actions).toBe(3);
    expect(config.recovery.action_timeout).toBe(120);
    expect(config.web.listen_address).toBe(':8737');
    expect(config.log.level).toBe('info');
    expect(config.log.format).toBe('json');
    expect(config.web.telemetry_path).toBe('/metrics');
  });

  it('refuses a telemetry path that is not a path or is taken', () => {
    expect(problemsOf({ web: { telemetry_path: 'metrics' } })).toEqual([
      'web.telemetry_path: expected a path starting with /, like /metrics',
    ]);
    expect(problemsOf({ web: { telemetry_path: '/heal' } })).toEqual([
      "web.telemetry_path: /heal is already one of the agent's own paths",
    ]);
  });

  it('takes Redis Sentinel addresses, or one Redis URL, not both', () => {
    const config = validateConfig({
      recovery: { redis_sentinels: ['10.0.0.1:26379', 'sentinel-2:26379'] },
    });
    expect(config.recovery.redis_sentinels).toEqual(['10.0.0.1:26379', 'sentinel-2:26379']);
    expect(config.recovery.redis_sentinel_master).toBe('aegis');
    expect(problemsOf({ recovery: { redis_sentinels: ['10.0.0.1'] } })).toEqual([
      'recovery.redis_sentinels.0: expected host:port',
    ]);
    expect(
      problemsOf({
        recovery: { redis_url: 'redis://redis:6379', redis_sentinels: ['redis:26379'] },
      }),
    ).toEqual(['recovery.redis_sentinels: set redis_url or redis_sentinels, not both']);
  });

  it('keeps alertmanager_url without its trailing slashes, for the API paths after it', () => {
    const config = validateConfig({ recovery: { alertmanager_url: 'http://am:9093/prefix//' } });
    expect(config.recovery.alertmanager_url).toBe('http://am:9093/prefix');
  });

  it('turns a bare URL into an endpoint with defaults', () => {
    const config = validateConfig({
      monitoring: { api_endpoints: ['http://127.0.0.1:8080/health'] },
    });
    expect(config.monitoring.api_endpoints).toEqual([
      { url: 'http://127.0.0.1:8080/health', method: 'GET' },
    ]);
  });

  it('names the path of a wrong duration', () => {
    expect(problemsOf({ monitoring: { collection_interval: 'often' } })).toEqual([
      'monitoring.collection_interval: expected a duration (like 5s, 1m30s or a number of seconds), got "often"',
    ]);
  });

  it('refuses a regular expression setting that does not compile', () => {
    expect(
      problemsOf({
        monitoring: { disk_devices_exclude: '(', network_devices_exclude: '^veth' },
        recovery: { label_value_pattern: '[a-' },
      }),
    ).toEqual([
      'monitoring.disk_devices_exclude: expected a regular expression',
      'recovery.label_value_pattern: expected a regular expression',
    ]);
  });

  it('names unknown keys at every depth', () => {
    expect(problemsOf({ monitorin: {}, detection: { treshold: 3 } })).toEqual([
      'detection.treshold: unknown key',
      'monitorin: unknown key',
    ]);
  });

  it('names wrong types with what was given', () => {
    expect(
      problemsOf({
        detection: { isolation_n_estimators: 'many' },
        recovery: { enable_docker_recovery: 'yes' },
      }),
    ).toEqual([
      'detection.isolation_n_estimators: expected number, got string "many"',
      'recovery.enable_docker_recovery: expected boolean, got string "yes"',
    ]);
  });

  it('names the index of a bad endpoint', () => {
    expect(problemsOf({ monitoring: { api_endpoints: ['http://ok/', 'ftp://nope/'] } })).toEqual([
      'monitoring.api_endpoints.1: expected an http:// or https:// URL, got "ftp://nope/"',
    ]);
  });

  it('rejects a contamination outside (0, 0.5]', () => {
    expect(problemsOf({ detection: { isolation_contamination: 0.9 } })).toEqual([
      'detection.isolation_contamination: Too big: expected number to be <=0.5',
    ]);
  });

  it('requires TLS certificate and key together', () => {
    expect(problemsOf({ web: { tls_cert_file: 'cert.pem' } })).toEqual([
      'web.tls_cert_file: tls_cert_file and tls_key_file must be given together',
    ]);
  });

  it('rejects a malformed listen address', () => {
    expect(problemsOf({ web: { listen_address: 'localhost' } })).toEqual([
      'web.listen_address: expected HOST:PORT or :PORT',
    ]);
  });

  it('puts the source in the error message', () => {
    expect(() => validateConfig({ log: { level: 'loud' } }, 'agent.yml')).toThrow(
      /^agent\.yml: invalid configuration:\n {2}log\.level: /,
    );
  });
});
