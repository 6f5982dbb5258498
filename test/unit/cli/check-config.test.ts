import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../src/cli/check-config.js';
import { checkReferencedPolicy, checkTokenFile } from '../../../src/cli/check-policy.js';
import { checkWrittenFiles } from '../../../src/cli/run-config.js';

/** The checks `aegis-sentinel check-config` runs on a valid file (but the web configuration's). */
const CHECKS = [checkReferencedPolicy, checkTokenFile, checkWrittenFiles];

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  return { io: { stdout, stderr }, text: () => ({ out, err }) };
}

async function file(name: string, content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-check-'));
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

describe('check-config', () => {
  it('reports success like promtool and exits 0', async () => {
    const path = await file('good.yml', 'monitoring:\n  collection_interval: 10s\n');
    const { io, text } = capture();
    expect(await checkConfig([path], io)).toBe(0);
    expect(text().out).toBe(`Checking ${path}\n  SUCCESS: ${path} is valid\n\n`);
  });

  it('lists every problem with its path and exits 1', async () => {
    const path = await file(
      'bad.yml',
      'monitoring:\n  collection_interval: often\n  colection: 1\n',
    );
    const { io, text } = capture();
    expect(await checkConfig([path], io)).toBe(1);
    expect(text().err).toBe(
      `  FAILED: ${path}:\n` +
        '    monitoring.collection_interval: expected a duration (like 5s, 1m30s or a number of seconds), got "often"\n' +
        '    monitoring.colection: unknown key\n\n',
    );
  });

  it('runs extra checks (the healing policy) on a valid file', async () => {
    const path = await file('ok.yml', '{}\n');
    const { io, text } = capture();
    const code = await checkConfig([path], io, [
      async () => [{ path: 'policy.yml: rules.0.action', message: 'unknown action "reboot"' }],
    ]);
    expect(code).toBe(1);
    expect(text().err).toContain('    policy.yml: rules.0.action: unknown action "reboot"\n');
  });

  it('asks for a file when given none', async () => {
    const { io, text } = capture();
    expect(await checkConfig([], io)).toBe(2);
    expect(text().err).toBe('check-config needs at least one FILE\n');
  });

  describe('catches before serving', () => {
    /** A folder with a configuration whose every written file is inside it, plus `yaml`. */
    async function folder(yaml: string, files: Record<string, string> = {}) {
      const dir = await mkdtemp(join(tmpdir(), 'aegis-check-'));
      for (const [name, content] of Object.entries(files))
        await writeFile(join(dir, name), content);
      const config = join(dir, 'agent.yml');
      await writeFile(
        config,
        `detection:\n  state_file: state/detector.json\nrecovery:\n  audit_file: audit/audit.jsonl\n${yaml}`,
      );
      return { dir, config };
    }

    /** A folder whose configuration names `policy.yml`, holding `rules`; /bin/true is allowed. */
    async function withPolicy(rules: string[]) {
      const { dir, config } = await folder(
        '  policy_file: policy.yml\n  allowed_commands: [/bin/true]\n',
        { 'policy.yml': `${rules.join('\n')}\n` },
      );
      return { config, file: join(dir, 'policy.yml') };
    }

    async function failures(config: string): Promise<string> {
      const { io, text } = capture();
      expect(await checkConfig([config], io, CHECKS)).toBe(1);
      return text().err;
    }

    it('passes a configuration whose files can all be written, creating none', async () => {
      const { dir, config } = await folder('', {});
      const { io, text } = capture();
      expect(await checkConfig([config], io, CHECKS)).toBe(0);
      expect(text().err).toBe('');
      expect(await readdir(dir)).toEqual(['agent.yml']);
    });

    it('names a token file that is missing, empty or a directory', async () => {
      for (const [token, message] of [
        ['missing', (dir: string) => `cannot read ${join(dir, 'missing')}: no such file`],
        ['empty', (dir: string) => `${join(dir, 'empty')} is empty: it must hold the token`],
        ['.', (dir: string) => `cannot read ${dir}: it is a directory`],
      ] as const) {
        const { dir, config } = await folder(`  auth_token_file: ${token}\n`, { empty: ' \n' });
        expect(await failures(config)).toBe(
          `  FAILED: ${config}:\n    recovery.auth_token_file: ${message(dir)}\n\n`,
        );
      }
    });

    it('names every rule that is not on its allow-list', async () => {
      const { config, file } = await withPolicy([
        "- { name: run, action: exec, target: x, argv: ['/usr/local/bin/fix', '{{ $labels.job }}'] }",
        '- { name: ok, action: exec, target: y, argv: [/bin/true] }',
        '- { name: flush, action: cache_flush, target: sessions }',
        "- { name: flush-any, action: cache_flush, target: '{{ $labels.cache }}' }",
        '- { name: unit, action: service_restart, target: nginx.service }',
      ]);
      expect(await failures(config)).toBe(
        `  FAILED: ${config}:\n` +
          `    ${file}:0.argv.0: command /usr/local/bin/fix is not in recovery.allowed_commands\n` +
          `    ${file}:2.target: cache sessions is not in recovery.caches\n` +
          `    ${file}:4.target: unit nginx.service is not in recovery.allowed_units\n\n`,
      );
    });

    it('names a verify_command whose program is not on the exec allow-list', async () => {
      const { config, file } = await withPolicy([
        "- { name: run, action: exec, target: x, argv: [/bin/true], verify_command: ['/usr/local/bin/check', '{{ $labels.job }}'] }",
        '- { name: ok, action: exec, target: y, argv: [/bin/true], verify_command: [/bin/true] }',
        "- { name: flush, action: cache_flush, target: '{{ $labels.cache }}', verify_command: [/usr/bin/redis-cli] }",
        '- { name: off-list-too, action: exec, target: z, argv: [/bin/false], verify_command: [/bin/false] }',
      ]);
      expect(await failures(config)).toBe(
        `  FAILED: ${config}:\n` +
          `    ${file}:0.verify_command.0: verify_command /usr/local/bin/check is not in recovery.allowed_commands\n` +
          `    ${file}:2.verify_command.0: verify_command /usr/bin/redis-cli is not in recovery.allowed_commands\n` +
          `    ${file}:3.argv.0: command /bin/false is not in recovery.allowed_commands\n` +
          `    ${file}:3.verify_command.0: verify_command /bin/false is not in recovery.allowed_commands\n\n`,
      );
      // A switched-off action's rules are not checked: they are skipped as `disabled`.
      await writeFile(
        config,
        'detection:\n  state_file: state/detector.json\nrecovery:\n  audit_file: audit/audit.jsonl\n' +
          '  policy_file: policy.yml\n  enable_exec_recovery: false\n  enable_cache_recovery: false\n',
      );
      const { io, text } = capture();
      expect(await checkConfig([config], io, CHECKS)).toBe(0);
      expect(text().err).toBe('');
    });

    it('names an audit or state path under a regular file, or that is a directory', async () => {
      const { dir, config } = await folder('', { plain: 'a file\n' });
      await writeFile(
        config,
        'detection:\n  state_file: plain/state/detector.json\nrecovery:\n  audit_file: audit\n',
      );
      await mkdir(join(dir, 'audit'));
      expect(await failures(config)).toBe(
        `  FAILED: ${config}:\n` +
          `    recovery.audit_file: ${join(dir, 'audit')} is a directory, not a file\n` +
          `    detection.state_file: cannot create ${join(dir, 'plain/state/detector.json')}: ${join(dir, 'plain')} is a file, not a directory\n\n`,
      );
    });
  });
});
