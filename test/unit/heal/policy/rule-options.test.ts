// The rule options for people in the loop: verify_command and cancel_on_resolve, as the
// policy file states them and as check-config refuses them.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPolicyFile } from '../../../../src/heal/healer.js';
import { parsePolicyText } from '../../../../src/heal/policy/policy.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-rule-options-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function problems(yaml: string): Promise<string[]> {
  const file = join(dir, 'p.yml');
  await writeFile(file, yaml);
  return (await checkPolicyFile(file)).map((p) => `${p.path.replace(file, 'FILE')}: ${p.message}`);
}

describe('rule options', () => {
  it('default to no check and no cancellation', () => {
    const [rule] = parsePolicyText('- {action: exec, target: t, argv: [/bin/true]}', 'p');
    expect(rule).toMatchObject({ cancel_on_resolve: false });
    expect(rule?.verify_command).toBeUndefined();
  });

  it('take a verify_command with templated arguments for exec and cache_flush', () => {
    const policy = parsePolicyText(
      `- action: cache_flush
  target: sessions
  verify_command: [/usr/bin/test, '{{ $labels.file }}']
  cancel_on_resolve: true
`,
      'p',
    );
    expect(policy[0]).toMatchObject({
      verify_command: ['/usr/bin/test', '{{ $labels.file }}'],
      cancel_on_resolve: true,
    });
  });

  it('refuse a verify_command elsewhere, with a templated program, or empty', async () => {
    expect(
      await problems(`- action: docker_restart
  target: web
  verify_command: [/bin/true]
- action: exec
  target: t
  argv: [/bin/true]
  verify_command: ['{{ $labels.prog }}']
- action: exec
  target: t
  argv: [/bin/true]
  verify_command: []
- action: exec
  target: t
  argv: [/bin/true]
  cancel_on_resolve: yes please
`),
    ).toEqual([
      'FILE:0.verify_command: verify_command is for exec and cache_flush, not docker_restart (it verifies itself)',
      'FILE:1.verify_command.0: the program must be a literal absolute path (no template)',
      'FILE:2.verify_command: Too small: expected array to have >=1 items',
      'FILE:3.cancel_on_resolve: expected boolean, got string "yes please"',
    ]);
  });
});
