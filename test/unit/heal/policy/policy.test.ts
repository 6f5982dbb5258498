import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../../../../src/config/validate.js';
import { checkPolicyFile } from '../../../../src/heal/healer.js';
import { allowListProblems } from '../../../../src/heal/policy/allow-lists.js';
import { loadPolicy, parsePolicyText, selectRules } from '../../../../src/heal/policy/policy.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-policy-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function problems(yaml: string): Promise<string[]> {
  const file = join(dir, 'p.yml');
  await writeFile(file, yaml);
  return (await checkPolicyFile(file)).map((p) => `${p.path.replace(file, 'FILE')}: ${p.message}`);
}

describe('policy', () => {
  it('the worked example is valid', async () => {
    expect(await checkPolicyFile('examples/policy.yml')).toEqual([]);
    const policy = await loadPolicy('examples/policy.yml');
    expect(policy.map((rule) => [rule.name, rule.action])).toEqual([
      ['restart-exited-containers', 'docker_restart'],
      ['restart-demo-when-down', 'docker_restart'],
      ['flush-cache-when-slow', 'cache_flush'],
      ['flush-sessions', 'cache_flush'],
      ['restart-unit', 'service_restart'],
      ['rotate-logs', 'exec'],
    ]);
  });

  it('the worked example is on the allow-lists of the shipped configuration', async () => {
    const config = validateConfig(parseYaml(await readFile('examples/sentinel.yml', 'utf8')));
    const policy = await loadPolicy('examples/policy.yml');
    expect(allowListProblems(policy, config.recovery)).toEqual([]);
    // Its exec rule shows a verify_command, which must be on the list as its argv is.
    expect(policy.find((rule) => rule.name === 'rotate-logs')?.verify_command).toEqual([
      '/usr/bin/pgrep',
      '--exact',
      'nginx',
    ]);
    expect(
      allowListProblems(policy, {
        ...config.recovery,
        allowed_commands: ['/usr/sbin/logrotate'],
      }).map((problem) => `${problem.path}: ${problem.message}`),
    ).toEqual([
      '/etc/aegis-sentinel/policy.yml:5.verify_command.0: verify_command /usr/bin/pgrep is not in recovery.allowed_commands',
    ]);
  });

  it('the default policy restarts only on exited or unhealthy containers', async () => {
    const policy = await loadPolicy(undefined);
    expect(
      selectRules(policy, { alertname: 'AegisContainerExited', container: 'x' }).map((r) => r.name),
    ).toEqual(['restart-opted-in-containers']);
    expect(selectRules(policy, { alertname: 'AegisContainerUnhealthy' })).toHaveLength(1);
    expect(selectRules(policy, { alertname: 'AegisEndpointDown' })).toEqual([]);
    expect(selectRules(policy, { alertname: 'AegisContainerExitedSoon' })).toEqual([]);
  });

  it('first match wins unless continue is set', async () => {
    const policy = await loadPolicy('examples/policy.yml');
    const names = (labels: Record<string, string>) =>
      selectRules(policy, labels).map((rule) => rule.name);
    expect(names({ alertname: 'UnitFailed', unit: 'nginx.service' })).toEqual([
      'restart-unit',
      'rotate-logs',
    ]);
    expect(names({ alertname: 'UnitFailed', unit: 'haproxy.service' })).toEqual(['restart-unit']);
    expect(names({ alertname: 'AegisEndpointDown', target: 'demo' })).toEqual([
      'restart-demo-when-down',
    ]);
    expect(names({ alertname: 'AegisEndpointDown', target: 'other' })).toEqual([]);
    expect(
      names({
        alertname: 'AegisAnomalyDetected',
        series: 'probe_duration_seconds',
        target: 'demo',
      }),
    ).toEqual(['flush-cache-when-slow']);
    expect(names({ alertname: 'AegisAnomalyDetected', series: 'cpu_utilisation' })).toEqual([]);
    expect(
      names({
        alertname: 'AegisAnomalyDetected',
        series: 'filesystem_used_ratio',
        mountpoint: '/',
      }),
    ).toEqual([]);
  });

  it('names every problem with its file and path', async () => {
    expect(
      await problems(`
- matchers: ['alertname']
  action: reboot
  target: x
- action: exec
  target: '{{ .Labels.x }}'
  argv: ['{{ $labels.cmd }}']
- action: docker_restart
  target: web
  argv: ['/bin/true']
  cooldown: soon
  surprise: 1
`),
    ).toEqual([
      'FILE:0.matchers.0: bad matcher "alertname": expected NAME OP VALUE with OP one of =, !=, =~, !~',
      'FILE:0.action: expected one of docker_restart, cache_flush, service_restart, exec',
      'FILE:1.target: unsupported template in "{{ .Labels.x }}": only {{ $labels.NAME }} is allowed',
      'FILE:1.argv.0: the program must be a literal absolute path (no template)',
      'FILE:2.cooldown: expected a duration (like 5s, 1m30s or a number of seconds), got "soon"',
      'FILE:2.surprise: unknown key',
    ]);
  });

  it('reports YAML errors with the line, a wrong top level, and a missing file', async () => {
    expect(await problems('- action: exec\n  target: [\n')).toEqual([
      expect.stringMatching(/^FILE: YAML syntax error at line \d+: /),
    ]);
    expect(await problems('action: exec\n')).toEqual(['FILE: expected array, got an object']);
    expect(await checkPolicyFile(join(dir, 'missing.yml'))).toEqual([
      { path: join(dir, 'missing.yml'), message: 'cannot read: no such file' },
    ]);
    expect(() => parsePolicyText('- action: exec\n  target: x\n', 'inline')).toThrow(
      'inline:0.argv: exec needs argv',
    );
  });
});
