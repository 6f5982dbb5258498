// The shipped route tree, asked with the real `amtool config routes test`: every alert that
// prometheus/rules/ defines reaches people, and the ones a shipped healing rule can act on
// also reach the agent's /heal. The alerts are read from the rule files and the healable
// ones worked out from the shipped policies, so a new alert or policy rule is covered as
// soon as it is added.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { compilePolicy, loadPolicy, type Policy } from '../../src/heal/policy/policy.js';
import { runCommand } from '../support/processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CONFIG = join(ROOT, 'prometheus', 'alertmanager.yml');
const HUMANS = 'humans';
const HEAL = 'aegis-heal';

interface Alert {
  file: string;
  alertname: string;
  /** The labels the rule itself sets (severity, ...), besides alertname. */
  labels: Record<string, string>;
}

async function ymlFiles(...folder: string[]): Promise<string[]> {
  return (await readdir(join(ROOT, ...folder)))
    .filter((name) => name.endsWith('.yml'))
    .sort()
    .map((name) => join(ROOT, ...folder, name));
}

async function shippedAlerts(): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const file of await ymlFiles('prometheus', 'rules')) {
    const { groups } = parseYaml(await readFile(file, 'utf8')) as {
      groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[];
    };
    for (const rule of groups.flatMap((group) => group.rules)) {
      if (rule.alert === undefined) continue;
      alerts.push({ file, alertname: rule.alert, labels: rule.labels ?? {} });
    }
  }
  return alerts;
}

/** The built-in policy, and every policy (a YAML list of rules) in config/ and examples/. */
async function shippedPolicies(): Promise<Policy[]> {
  const policies = [await loadPolicy(undefined)];
  for (const file of [...(await ymlFiles('config')), ...(await ymlFiles('examples'))]) {
    const parsed: unknown = parseYaml(await readFile(file, 'utf8'));
    if (Array.isArray(parsed)) policies.push(compilePolicy(parsed, file));
  }
  return policies;
}

/**
 * Whether some shipped rule can act on the alert: each of the rule's matchers on a label
 * the alert rule fixes (alertname, severity) accepts it. Matchers on labels that come
 * from the query (container, target, metric) could match some series, so they count.
 */
function healable(alert: Alert, policies: Policy[]): boolean {
  const fixed = { ...alert.labels, alertname: alert.alertname };
  return policies.some((policy) =>
    policy.some((rule) =>
      rule.matchers.every((matcher) => !(matcher.name in fixed) || matcher.matches(fixed)),
    ),
  );
}

/** The receivers amtool says the shipped routes deliver these labels to, in route order. */
async function receiversOf(labels: Record<string, string>): Promise<string[]> {
  const { stdout } = await runCommand('amtool', [
    'config',
    'routes',
    'test',
    `--config.file=${CONFIG}`,
    ...Object.entries(labels).map(([name, value]) => `${name}=${value}`),
  ]);
  return stdout.trim().split(',');
}

const alerts = await shippedAlerts();
const policies = await shippedPolicies();

describe('Alertmanager routing of the shipped alerts', () => {
  it('reads the alerts from the rule files and the healable ones from the policies', () => {
    // Guards against a parser that silently finds nothing.
    expect(alerts.length).toBeGreaterThanOrEqual(11);
    expect(alerts.filter((alert) => healable(alert, policies)).length).toBeGreaterThanOrEqual(4);
    expect(new Set(alerts.map((alert) => alert.alertname)).size).toBe(alerts.length);
  });

  it.each(alerts.map((alert) => [alert.alertname, alert] as const))(
    '%s reaches people, and /heal exactly when a policy rule can act on it',
    async (alertname, alert) => {
      const expected = healable(alert, policies) ? [HEAL, HUMANS] : [HUMANS];
      const receivers = await receiversOf({ ...alert.labels, alertname });
      expect(
        receivers,
        `${alertname} (${alert.file}) is routed to ${receivers.join(', ')}; expected ${expected.join(', ')}`,
      ).toEqual(expected);
    },
  );

  it('an alert nobody has written a route for still reaches people', async () => {
    expect(await receiversOf({ alertname: 'SomeAlertAddedLater', severity: 'critical' })).toEqual([
      HUMANS,
    ]);
  });
});
