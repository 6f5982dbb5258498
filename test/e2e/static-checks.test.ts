// The shipped Prometheus, Alertmanager, Grafana, compose and Dockerfile files, checked with
// the real tools where they exist (promtool, amtool, docker-compose) and by reading them
// where they do not (Grafana, an image build: nothing can be pulled here).
import { existsSync, readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { validateConfig } from '../../src/config/validate.js';
import { loadPolicy, selectRules } from '../../src/heal/policy/policy.js';
import { runCommand } from '../support/processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const at = (...parts: string[]) => join(ROOT, ...parts);

async function yamlFile<T>(...parts: string[]): Promise<T> {
  return parseYaml(await readFile(at(...parts), 'utf8')) as T;
}

async function yamlFilesIn(...parts: string[]): Promise<string[]> {
  return (await readdir(at(...parts)))
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((name) => at(...parts, name));
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; labels?: Record<string, string> }[] }[];
}

interface RuleTestFile {
  rule_files: string[];
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

describe('Prometheus', () => {
  it('promtool accepts the configuration and every rule file it loads', async () => {
    const { stdout } = await runCommand('promtool', [
      'check',
      'config',
      at('prometheus', 'prometheus.yml'),
    ]);
    const ruleFiles = await yamlFilesIn('prometheus', 'rules');
    expect(stdout).toContain(`SUCCESS: ${ruleFiles.length} rule files found`);
    await runCommand('promtool', ['check', 'rules', ...ruleFiles]);
  });

  it('the rule unit tests pass', async () => {
    await runCommand('promtool', ['test', 'rules', ...(await yamlFilesIn('prometheus', 'tests'))]);
  });

  it('every alert has a severity, a summary and a description', async () => {
    for (const path of await yamlFilesIn('prometheus', 'rules')) {
      const { groups } = parseYaml(await readFile(path, 'utf8')) as {
        groups: { rules: { alert?: string; labels?: object; annotations?: object }[] }[];
      };
      for (const rule of groups.flatMap((group) => group.rules)) {
        if (rule.alert === undefined) continue;
        expect(rule.labels, rule.alert).toHaveProperty('severity');
        expect(Object.keys(rule.annotations ?? {}).sort(), rule.alert).toEqual([
          'description',
          'summary',
        ]);
      }
    }
  });

  it('every alert has a unit test where it fires and one where it must not', async () => {
    const alerts: string[] = [];
    for (const path of await yamlFilesIn('prometheus', 'rules')) {
      const { groups } = parseYaml(await readFile(path, 'utf8')) as RuleFile;
      for (const rule of groups.flatMap((group) => group.rules)) {
        if (rule.alert !== undefined) alerts.push(rule.alert);
      }
    }
    const fires = new Set<string>();
    const silent = new Set<string>();
    for (const path of await yamlFilesIn('prometheus', 'tests')) {
      const { tests } = parseYaml(await readFile(path, 'utf8')) as RuleTestFile;
      for (const check of tests.flatMap((test) => test.alert_rule_test ?? [])) {
        ((check.exp_alerts ?? []).length > 0 ? fires : silent).add(check.alertname);
      }
    }
    expect(alerts.length).toBeGreaterThanOrEqual(11);
    expect(
      alerts.filter((alert) => !fires.has(alert)),
      'alerts never seen firing',
    ).toEqual([]);
    expect(
      alerts.filter((alert) => !silent.has(alert)),
      'alerts never seen silent',
    ).toEqual([]);
  });
});

describe('Alertmanager', () => {
  const config = at('prometheus', 'alertmanager.yml');

  it('amtool accepts the configuration', async () => {
    await runCommand('amtool', ['check-config', config]);
  });

  // Where each shipped alert is routed: test/integration/alertmanager-routing.test.ts.

  it('sends resolved notifications to /heal with a bearer token from a file', async () => {
    const { receivers } = await yamlFile<{
      receivers: { name: string; webhook_configs?: Record<string, unknown>[] }[];
    }>('prometheus', 'alertmanager.yml');
    const heal = receivers.find((receiver) => receiver.name === 'aegis-heal');
    expect(heal?.webhook_configs).toEqual([
      expect.objectContaining({
        url: expect.stringMatching(/\/heal$/),
        send_resolved: true,
        http_config: {
          authorization: { type: 'Bearer', credentials_file: expect.any(String) },
        },
      }),
    ]);
  });
});

describe('Grafana', () => {
  interface Panel {
    title: string;
    type: string;
    datasource?: { type: string; uid: string };
    targets?: { expr: string; datasource?: { type: string; uid: string } }[];
    panels?: Panel[];
  }

  // Importing into another Grafana must work, so no panel names a data source uid: each
  // queries the dashboard's `datasource` variable, which starts on the default data
  // source, and the provisioned Prometheus is the default.
  it('every panel and query of the dashboard uses the data source variable, which provisioning fills', async () => {
    const provisioned = await yamlFile<{
      datasources: { uid: string; type: string; isDefault?: boolean }[];
    }>('grafana', 'provisioning', 'datasources', 'prometheus.yml');
    const [source] = provisioned.datasources;
    expect(source?.type).toBe('prometheus');
    expect(source?.isDefault).toBe(true);
    const text = await readFile(at('grafana', 'dashboards', 'aegis-sentinel.json'), 'utf8');
    expect(text).not.toContain(source?.uid);
    const dashboard = JSON.parse(text) as {
      panels: Panel[];
      templating: {
        list: { name: string; type: string; query?: unknown; datasource?: { uid: string } }[];
      };
    };
    const [variable, ...others] = dashboard.templating.list;
    expect(variable).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    const variableSource = { type: 'prometheus', uid: '${datasource}' };
    const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
    const queried = panels.filter((panel) => panel.type !== 'row');
    expect(queried.length).toBeGreaterThan(20);
    for (const panel of queried) {
      expect(panel.datasource, panel.title).toEqual(variableSource);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) {
        expect(target.datasource, panel.title).toEqual(variableSource);
        expect(target.expr, panel.title).not.toBe('');
      }
    }
    for (const other of others) expect(other.datasource, other.name).toEqual(variableSource);
  });

  it('the dashboard provider reads the folder that compose mounts the dashboards in', async () => {
    const provider = await yamlFile<{ providers: { options: { path: string } }[] }>(
      'grafana',
      'provisioning',
      'dashboards',
      'aegis.yml',
    );
    const compose = await yamlFile<{ services: { grafana: { volumes: string[] } } }>(
      'docker-compose.yml',
    );
    expect(compose.services.grafana.volumes).toContain(
      `./grafana/dashboards:${provider.providers[0]?.options.path}:ro`,
    );
  });
});

describe('docker-compose', () => {
  it('docker-compose accepts the file', async () => {
    await runCommand('docker-compose', [
      '--project-directory',
      ROOT,
      '-f',
      at('docker-compose.yml'),
      'config',
      '-q',
    ]);
  });

  // A missing bind-mount source makes the engine create an empty directory in its place.
  it('every file it mounts or reads exists in the repository', async () => {
    const compose = await yamlFile<{
      services: Record<string, { volumes?: string[] }>;
      secrets: Record<string, { file: string }>;
    }>('docker-compose.yml');
    const sources = [
      ...Object.values(compose.services).flatMap((service) => service.volumes ?? []),
      ...Object.values(compose.secrets).map((secret) => secret.file),
    ]
      .map((volume) => volume.split(':')[0] as string)
      .filter((source) => source.startsWith('./'));
    expect(sources.length).toBeGreaterThan(5);
    expect(sources.filter((source) => !existsSync(at(source)))).toEqual([]);
  });
});

describe('the examples compose runs', () => {
  it('the agent configuration is valid', () => {
    expect(() =>
      validateConfig(parseYaml(readFileSync(at('examples', 'sentinel.yml'), 'utf8'))),
    ).not.toThrow();
  });

  // The alerts healing can fix, with the labels the shipped rules give them.
  it.each<Record<string, string>>([
    { alertname: 'AegisContainerExited', container: 'demo', severity: 'critical' },
    { alertname: 'AegisContainerUnhealthy', container: 'demo', severity: 'critical' },
    {
      alertname: 'AegisAnomalyDetected',
      series: 'probe_duration_seconds',
      target: 'demo',
      severity: 'warning',
    },
  ])('the healing policy acts on $alertname', async (labels) => {
    const policy = await loadPolicy(at('examples', 'policy.yml'));
    expect(
      selectRules(policy, { instance: 'aegis-sentinel:8737', job: 'aegis-sentinel', ...labels }),
    ).not.toEqual([]);
  });
});

describe('Dockerfile', () => {
  const instructions = async () =>
    (await readFile(at('Dockerfile'), 'utf8'))
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));

  it('is multi-stage, and its final stage runs as non-root with a curl-free HEALTHCHECK', async () => {
    const lines = await instructions();
    const stages = lines.filter((line) => line.startsWith('FROM '));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const finalStage = lines.slice(lines.lastIndexOf(stages.at(-1) as string));
    const user = finalStage.find((line) => line.startsWith('USER '));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)\b/);
    const healthcheck = finalStage.find((line) => line.startsWith('HEALTHCHECK '));
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).not.toMatch(/\b(curl|wget)\b/);
  });

  it('copies only files that exist and that .dockerignore lets into the build context', async () => {
    const allowed = (await readFile(at('.dockerignore'), 'utf8'))
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    const sources = (await instructions())
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1))
      .filter((word) => !word.startsWith('--'));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(existsSync(at(source)), source).toBe(true);
      expect(allowed, source).toContain(source);
    }
  });
});
