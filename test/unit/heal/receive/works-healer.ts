// The healer the /heal tests of one rule share: no token, and one rule, `works`, that runs
// /bin/true (no check: it ends unverified) on alerts named Works, one target per `svc`.
import { startTestHealer, type TestHealer } from '../helpers.js';

const WORKS_POLICY = `
- name: works
  matchers: ['alertname="Works"']
  action: exec
  target: 'svc-{{ $labels.svc }}'
  argv: ['/bin/true']
`;

/** A started healer on WORKS_POLICY, /bin/true its one allowed command, auth disabled. */
export function startWorksHealer(): Promise<TestHealer> {
  return startTestHealer({ auth_disabled: true, allowed_commands: ['/bin/true'] }, WORKS_POLICY);
}
