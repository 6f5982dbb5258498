import { describe, expect, it } from 'vitest';
import { recoverySchema } from '../../../../src/config/recovery.js';
import { labelSafetyCheck } from '../../../../src/heal/receive/label-safety.js';
import { type HealAlert, planAlert } from '../../../../src/heal/policy/planner.js';
import { compilePolicy, DEFAULT_POLICY_RULES } from '../../../../src/heal/policy/policy.js';

const config = recoverySchema.parse({
  docker_endpoints: { 'node1:8737': 'tcp://node1:2375' },
});
const policy = compilePolicy(DEFAULT_POLICY_RULES, 'default policy');
const check = labelSafetyCheck(config.label_value_pattern);

function plan(instance: string) {
  const alert: HealAlert = {
    status: 'firing',
    labels: { alertname: 'AegisContainerExited', container: 'web', instance },
    startsAt: '2025-01-01T00:00:00Z',
    fingerprint: '00000000000000aa',
    source: 'webhook',
  };
  const verdict = planAlert(alert, policy, config, check, 0).verdicts[0];
  return verdict && 'plan' in verdict ? verdict.plan : undefined;
}

describe('planAlert picks the Docker endpoint once, for the target key and the action', () => {
  it('uses the endpoint recovery.docker_endpoints names for the instance', () => {
    expect(plan('node1:8737')).toEqual({
      action: 'docker_restart',
      target: 'web',
      targetKey: 'docker_restart:node1:8737/web',
      dockerHost: 'tcp://node1:2375',
    });
  });

  it.each(['node2:8737', 'constructor', 'toString'])(
    'leaves an instance it does not name (%s) to the default host',
    (instance) => {
      expect(plan(instance)).toEqual({
        action: 'docker_restart',
        target: 'web',
        targetKey: 'docker_restart:web',
      });
    },
  );
});
