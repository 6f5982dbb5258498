/** The `aegis-sentinel` command as an operator runs it: the built dist/cli.js. */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../support/ports.js';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../dist/cli.js');

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [CLI, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

beforeAll(async () => {
  // The build users run: tsc, then dist/cli.js bundled into one file.
  await run('npm', ['run', 'build', '--silent'], { cwd: join(import.meta.dirname, '../..') });
}, 120_000);

describe('aegis-sentinel', () => {
  it('prints help and version', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: aegis-sentinel \[flags\]/);
    expect(help.stdout).toContain('  --web.config.file=FILE ');
    expect(help.stdout).toContain('  --log.format=json|logfmt ');
    const version = await cli(['--version']);
    expect(version.stdout).toMatch(
      /^aegis-sentinel, version 0\.1\.0 \(revision: [^)]+\)\n {2}node: v20\./,
    );
  });

  // Whether V8 took the cache: only a process that has not compiled the bundle can tell.
  it('starts from the code cache the build wrote beside the bundle', async () => {
    const dist = join(import.meta.dirname, '../../dist');
    const { stdout, stderr } = await run('node', [
      '--input-type=module',
      '-e',
      `import { runBundle } from ${JSON.stringify(pathToFileURL(join(dist, 'cli/run-bundle.js')).href)};
      process.argv = [process.argv[0], 'cli', '--version'];
      const script = runBundle(${JSON.stringify(join(dist, 'cli.bundle.cjs'))}, ${JSON.stringify(join(dist, 'cli.bundle.cache'))});
      process.stderr.write('cache rejected: ' + script.cachedDataRejected);`,
    ]);
    expect(stdout).toMatch(/^aegis-sentinel, version 0\.1\.0 /);
    expect(stderr).toBe('cache rejected: false');
  });

  it('refuses an unknown flag with exit 2 and says which', async () => {
    const result = await cli(['--verbose']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('unknown flag --verbose; see --help\n');
  });

  it('refuses a bad flag value naming the configuration path, exit 2', async () => {
    const result = await cli(['--monitoring.collection-interval=often']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'command-line flags: invalid configuration:\n  monitoring.collection_interval: expected a duration (like 5s, 1m30s or a number of seconds), got "often"\n',
    );
  });

  it('check-config passes a good file and fails a bad one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-cli-'));
    const good = join(dir, 'good.yml');
    const bad = join(dir, 'bad.yml');
    await writeFile(good, 'monitoring:\n  collection_interval: 1s\n');
    await writeFile(bad, 'detection:\n  isolation_contamination: 2\n');
    const ok = await cli(['check-config', good]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`Checking ${good}\n  SUCCESS: ${good} is valid\n\n`);
    const failed = await cli(['check-config', good, bad]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `  FAILED: ${bad}:\n    detection.isolation_contamination: Too big: expected number to be <=0.5\n\n`,
    );
  });

  it('check-config validates the healing policy a configuration names, relative to the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-cli-'));
    await writeFile(join(dir, 'agent.yml'), 'recovery:\n  policy_file: policy.yml\n');
    await writeFile(
      join(dir, 'policy.yml'),
      '- name: reboot\n  matchers: [\'alertname="X"\']\n  action: reboot\n  target: box\n',
    );
    const result = await cli(['check-config', join(dir, 'agent.yml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `  FAILED: ${join(dir, 'agent.yml')}:\n    ${join(dir, 'policy.yml')}:0.action: expected one of docker_restart, cache_flush, service_restart, exec\n\n`,
    );
    await writeFile(
      join(dir, 'policy.yml'),
      '- name: restart\n  matchers: [\'alertname="X"\']\n  action: docker_restart\n  target: web\n',
    );
    expect((await cli(['check-config', join(dir, 'agent.yml')])).code).toBe(0);
  });

  it('check-config and the agent refuse an audit path under a file and an unlisted command alike', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-cli-'));
    const config = join(dir, 'agent.yml');
    const policy = join(dir, 'policy.yml');
    await writeFile(join(dir, 'plain'), 'a regular file\n');
    await writeFile(policy, "- { action: exec, target: x, argv: ['/usr/local/bin/fix'] }\n");
    await writeFile(
      config,
      'monitoring:\n  enable_container_monitoring: false\nrecovery:\n  audit_file: plain/audit.jsonl\n',
    );
    const audit = `recovery.audit_file: cannot create ${join(dir, 'plain/audit.jsonl')}: ${join(dir, 'plain')} is a file, not a directory`;
    const checked = await cli(['check-config', config]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toBe(`  FAILED: ${config}:\n    ${audit}\n\n`);
    const agent = ['--web.listen-address=127.0.0.1:0', `--config.file=${config}`];
    const started = await cli(agent);
    // A refusal, not a stack trace, and nothing written.
    expect(started).toMatchObject({
      code: 2,
      stderr: `configuration: invalid configuration:\n  ${audit}\n`,
    });
    expect((await readdir(dir)).sort()).toEqual(['agent.yml', 'plain', 'policy.yml']);

    await writeFile(config, 'recovery:\n  policy_file: policy.yml\n');
    const unlisted = `${policy}:0.argv.0: command /usr/local/bin/fix is not in recovery.allowed_commands`;
    expect((await cli(['check-config', config])).stderr).toBe(
      `  FAILED: ${config}:\n    ${unlisted}\n\n`,
    );
    expect(
      await cli([
        ...agent,
        '--no-collector.containers',
        `--detection.state-file=${join(dir, 's.json')}`,
      ]),
    ).toMatchObject({ code: 2, stderr: `${policy}: invalid configuration:\n  ${unlisted}\n` });
  });

  it('runs the agent from flags and a config file, saves detector state and exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-cli-'));
    const config = join(dir, 'agent.yml');
    await writeFile(
      config,
      'monitoring:\n  collection_interval: 1s\n  enable_container_monitoring: false\n',
    );
    const port = await freeLoopbackPort();
    const child = spawn(
      'node',
      [
        CLI,
        `--config.file=${config}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=debug',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: dir,
      },
    );
    let logs = '';
    child.stdout.on('data', (chunk) => (logs += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const deadline = Date.now() + 15_000;
      while (!logs.includes('"event":"agent_started"')) {
        if (Date.now() > deadline) throw new Error(`agent did not start:\n${logs}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as {
        collection: { interval_seconds: number };
      };
      expect(status.collection.interval_seconds).toBe(1);
      // The bundle's express, built with body-parser and mime-types' maps loaded on first
      // use (scripts/bundle-cli.mjs), types what it sends as the sources' does.
      const types = await Promise.all(
        ['/', '/healthz', '/metrics'].map(
          async (path) =>
            (await fetch(`http://127.0.0.1:${port}${path}`)).headers.get('content-type') ?? '',
        ),
      );
      expect(types).toEqual([
        'text/html; charset=utf-8',
        'application/json; charset=utf-8',
        'text/plain; version=0.0.4; charset=utf-8',
      ]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const events = logs
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { event: string; level: string });
      expect(events.map((e) => e.event)).toEqual(
        expect.arrayContaining([
          'agent_started',
          'signal_received',
          'detector_state_saved',
          'agent_stopped',
        ]),
      );
      expect(events.find((e) => e.event === 'agent_started')).toMatchObject({
        level: 'info',
        address: `127.0.0.1:${port}`,
      });
      // The command keeps detector state in data/ below its working directory by default.
      expect(JSON.parse(await readFile(join(dir, 'data/detector-state.json'), 'utf8'))).toBeTypeOf(
        'object',
      );
    } finally {
      child.kill('SIGKILL');
    }
  });
});

/** What the agent loads only when its configuration or a request needs it. */
const ON_FIRST_USE = ['bcryptjs', 'dockerode', 'ioredis', 'mime-db', 'node:https'];

/**
 * Starts the agent with `args`, the preload that lists the modules it loads, and `env`;
 * waits for agent_started and one more second (a container round at 1 s), then for
 * `use(port)`; stops it with SIGTERM and answers which of ON_FIRST_USE it had loaded.
 */
async function optionalPackagesLoaded(
  dir: string,
  args: string[],
  env: Record<string, string> = {},
  use: (port: number) => Promise<void> = async () => undefined,
): Promise<string[]> {
  const list = join(dir, 'loaded-modules.txt');
  const port = await freeLoopbackPort();
  const child = spawn(
    'node',
    [
      `--import=${join(import.meta.dirname, 'support/loaded-packages.mjs')}`,
      CLI,
      `--web.listen-address=127.0.0.1:${port}`,
      ...args,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: dir,
      env: { ...process.env, AEGIS_LOADED_MODULES_FILE: list, ...env },
    },
  );
  let logs = '';
  child.stdout.on('data', (chunk) => (logs += chunk));
  child.stderr.on('data', (chunk) => (logs += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const deadline = Date.now() + 15_000;
    while (!logs.includes('"event":"agent_started"')) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`agent did not start:\n${logs}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await use(port);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
  const files = (await readFile(list, 'utf8')).split('\n');
  return ON_FIRST_USE.filter((name) =>
    files.some((file) => file === name || file.includes(`/node_modules/${name}/`)),
  );
}

describe('optional packages', () => {
  it('are not loaded by the agent on its default configuration, on a host without Docker, answering its JSON and metrics paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-cli-'));
    expect(
      await optionalPackagesLoaded(
        dir,
        ['--monitoring.collection-interval=1s'],
        { DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` },
        async (port) => {
          const answers = await Promise.all(
            [
              ['GET', '/healthz'],
              ['HEAD', '/healthz'],
              ['GET', '/status'],
              ['GET', '/metrics'],
              ['GET', '/nope'],
              ['POST', '/status'],
            ].map(async ([method, path]) => {
              const answer = await fetch(`http://127.0.0.1:${port}${path}`, { method });
              return `${method} ${path} ${answer.status} ${answer.headers.get('content-type')}`;
            }),
          );
          expect(answers).toEqual([
            'GET /healthz 200 application/json; charset=utf-8',
            'HEAD /healthz 200 application/json; charset=utf-8',
            'GET /status 200 application/json; charset=utf-8',
            'GET /metrics 200 text/plain; version=0.0.4; charset=utf-8',
            'GET /nope 404 application/json; charset=utf-8',
            'POST /status 405 application/json; charset=utf-8',
          ]);
        },
      ),
    ).toEqual([]);
  });

  it('load node:https for an https:// probe alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-cli-'));
    const closedPort = await freeLoopbackPort();
    await writeFile(
      join(dir, 'agent.yml'),
      `monitoring:\n  api_endpoints: ['https://127.0.0.1:${closedPort}/']\n`,
    );
    expect(
      await optionalPackagesLoaded(
        dir,
        ['--monitoring.collection-interval=1s', `--config.file=${join(dir, 'agent.yml')}`],
        { DOCKER_HOST: `unix://${join(dir, 'no-docker.sock')}` },
      ),
    ).toEqual(['node:https']);
  });

  it('are loaded when used: basic auth, a Docker engine found, Redis configured, an https probe, the landing page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-cli-'));
    // Enough of an engine to answer the container collector's list: no containers.
    const engine = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(req.url?.startsWith('/containers/json') ? '[]' : '{}');
    });
    const socket = join(dir, 'docker.sock');
    await new Promise<void>((resolve) => engine.listen(socket, resolve));
    const closedPort = await freeLoopbackPort();
    await writeFile(
      join(dir, 'agent.yml'),
      `recovery:\n  redis_url: redis://127.0.0.1:${closedPort}\n` +
        `monitoring:\n  api_endpoints: ['https://127.0.0.1:${closedPort}/']\n`,
    );
    await writeFile(
      join(dir, 'web.yml'),
      `basic_auth_users:\n  prometheus: '${bcrypt.hashSync('secret', 4)}'\n`,
    );
    try {
      expect(
        await optionalPackagesLoaded(
          dir,
          [
            '--monitoring.collection-interval=1s',
            `--config.file=${join(dir, 'agent.yml')}`,
            `--web.config.file=${join(dir, 'web.yml')}`,
          ],
          { DOCKER_HOST: `unix://${socket}` },
          async (port) => {
            const landing = await fetch(`http://127.0.0.1:${port}/`, {
              headers: {
                authorization: `Basic ${Buffer.from('prometheus:secret').toString('base64')}`,
              },
            });
            expect(landing.headers.get('content-type')).toBe('text/html; charset=utf-8');
          },
        ),
      ).toEqual(ON_FIRST_USE);
    } finally {
      await new Promise((resolve) => engine.close(resolve));
    }
  });
});
