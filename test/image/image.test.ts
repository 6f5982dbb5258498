// The image tier: the real Dockerfile built by podman on local stand-in base images
// (scripts/image-standins.sh: a debootstrap Debian root filesystem plus this machine's
// Node.js, tagged node:22-bookworm-slim; Prometheus, Alertmanager, Redis and busybox from
// the machine's Debian packages, tagged as docker-compose.yml names them), then the
// container run as a user would, and the shipped compose file run with docker-compose
// against podman's Docker API. No registry is reachable here: nothing is pulled.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { startPodmanEngine, type PodmanEngine } from '../support/podman.js';
import { freeLoopbackPort } from '../support/ports.js';
import { type CommandOutput, runCommand } from '../support/processes.js';

const ROOT = resolve(import.meta.dirname, '../..');
const IMAGE = 'localhost/aegis-sentinel:test';
/** What docker-compose.yml calls the agent's image: built here, so compose builds nothing. */
const COMPOSE_IMAGE = 'docker.io/library/aegis-sentinel:local';
const PROCFS_FIXTURE = join(import.meta.dirname, 'fixtures', 'proc');
const TOKEN = 'image-tier-token';

let engine: PodmanEngine;
const timings: Record<string, string> = {};

/** podman against the test's private engine, with a time limit of its own. */
function podman(args: string[], timeoutMs = 120_000): Promise<CommandOutput> {
  const [command, ...globalArgs] = engine.command as [string, ...string[]];
  return runCommand(command, [...globalArgs, ...args], { env: engine.env, timeoutMs });
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[what] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
  }
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    }
    await sleep(500);
  }
}

async function fetchText(url: string, init?: RequestInit): Promise<string | undefined> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
  return response.ok ? response.text() : undefined;
}

beforeAll(async () => {
  engine = await startPodmanEngine();
  await timed('stand-in images (scripts/image-standins.sh)', () =>
    runCommand('bash', [join(ROOT, 'scripts', 'image-standins.sh')], {
      env: { ...engine.env, PODMAN: engine.command.join(' ') },
      timeoutMs: 10 * 60_000,
    }),
  );
  await timed('podman build of the Dockerfile', () =>
    podman(
      [
        'build',
        '--pull=never',
        // Docker's format: OCI images have no HEALTHCHECK, and podman would drop it.
        '--format',
        'docker',
        '--build-arg',
        'REVISION=image-test',
        '--tag',
        IMAGE,
        '--tag',
        COMPOSE_IMAGE,
        ROOT,
      ],
      15 * 60_000,
    ),
  );
}, 25 * 60_000);

afterAll(async () => {
  await engine?.stop();
  console.log(`image tier timings:\n${JSON.stringify(timings, null, 2)}`);
}, 120_000);

describe('the image', () => {
  it('is based on the stand-in Node.js, runs as `node` and carries a HEALTHCHECK', async () => {
    const [image] = JSON.parse((await podman(['image', 'inspect', IMAGE])).stdout) as [
      {
        Config: { User?: string; WorkingDir?: string; Entrypoint?: string[] };
        HealthCheck?: { Test?: string[] };
        Healthcheck?: { Test?: string[] };
      },
    ];
    expect(image.Config.User).toBe('node');
    expect(image.Config.WorkingDir).toBe('/var/lib/aegis-sentinel');
    expect(image.Config.Entrypoint).toEqual(['node', '/app/dist/cli.js']);
    const healthcheck = image.HealthCheck ?? image.Healthcheck;
    expect(healthcheck?.Test?.join(' ')).toContain('/healthz');
    // The stand-in is this machine's Node.js under the node:22 tag: report what it is.
    const { stdout } = await podman(['run', '--rm', '--entrypoint', 'node', IMAGE, '--version']);
    console.log(`node in the image: ${stdout.trim()} (host: ${process.version})`);
  });

  it('starts from the code cache its build stage wrote (docs/design.md#code-cache)', async () => {
    const check = `import { runBundle } from '/app/dist/cli/run-bundle.js';
      process.argv = [process.argv[0], 'cli', '--version'];
      const script = runBundle('/app/dist/cli.bundle.cjs', '/app/dist/cli.bundle.cache');
      process.stderr.write('cache rejected: ' + script.cachedDataRejected);`;
    const { stdout, stderr } = await podman([
      'run',
      '--rm',
      '--entrypoint',
      'node',
      IMAGE,
      '--input-type=module',
      '-e',
      check,
    ]);
    expect(stdout).toMatch(/^aegis-sentinel, version 0\.1\.0 /);
    // After whatever podman itself writes to stderr (its healthcheck timers).
    expect(stderr).toMatch(/cache rejected: false$/);
  });

  describe('run as `docker run` would, with a fake procfs', () => {
    const name = 'aegis-image-test';
    let port: number;
    let logs = '';
    let stateDir: string;

    beforeAll(async () => {
      port = await freeLoopbackPort();
      stateDir = await mkdtemp(join(tmpdir(), 'aegis-image-state-'));
      // Its own network namespace (the engine's default is the host's), so the agent
      // listens on the image's default :8737, published on a free loopback port.
      await timed('container start to healthy', async () => {
        await podman([
          'run',
          '--detach',
          '--pull=never',
          '--name',
          name,
          '--network',
          'bridge',
          '--publish',
          `127.0.0.1:${port}:8737`,
          '--volume',
          `${PROCFS_FIXTURE}:/host/proc:ro`,
          '--env',
          `AEGIS_HEAL_TOKEN=${TOKEN}`,
          // Evaluated on demand below: nothing runs health checks on a timer here.
          '--health-interval',
          'disable',
          IMAGE,
          '--path.procfs=/host/proc',
          '--monitoring.collection-interval=1s',
          '--no-collector.containers',
        ]);
        await waitFor('GET /healthz', () => fetchText(`http://127.0.0.1:${port}/healthz`), 60_000);
      });
    }, 120_000);

    afterAll(async () => {
      await podman(['rm', '--force', '--time', '0', name]).catch(() => undefined);
      if (stateDir) await rm(stateDir, { recursive: true, force: true });
    });

    it('shows exactly the fake procfs figures on /metrics', async () => {
      const text = await waitFor(
        'a scrape with host figures',
        async () => {
          const body = await fetchText(`http://127.0.0.1:${port}/metrics`);
          return body?.includes('aegis_node_load1 ') ? body : undefined;
        },
        30_000,
      );
      const samples = parseExposition(text);
      // fixtures/proc: MemTotal 12345678 kB, MemAvailable 2345678 kB, load 3.14 2.72 1.41.
      const memory = (field: string) =>
        samples.find((s) => new RegExp(`^aegis_node_memory_${field}_bytes$`).test(s.name))?.value;
      expect(memory('(total|MemTotal)')).toBe(12345678 * 1024);
      expect(memory('(available|MemAvailable)')).toBe(2345678 * 1024);
      expect(sampleValue(samples, 'aegis_node_load1')).toBe(3.14);
      expect(sampleValue(samples, 'aegis_node_load5')).toBe(2.72);
      expect(sampleValue(samples, 'aegis_node_load15')).toBe(1.41);
      expect(sampleValue(samples, 'aegis_node_boot_time_seconds')).toBe(1700000000);
      expect(
        samples.some(
          (s) => s.name.startsWith('aegis_node_network_') && s.labels.device === 'fake0',
        ),
      ).toBe(true);
      // The mounts come from the fixture too: /dev/fakedisk on / (statfs'd in the container).
      expect(
        samples.some(
          (s) =>
            s.name.startsWith('aegis_node_filesystem_') &&
            s.labels.device === '/dev/fakedisk' &&
            s.labels.mountpoint === '/',
        ),
      ).toBe(true);
      expect(sampleValue(samples, 'aegis_build_info', { revision: 'image-test' })).toBe(1);
    });

    it('passes its own HEALTHCHECK', async () => {
      // `podman healthcheck run` exits non-zero when the check fails.
      await podman(['healthcheck', 'run', name]);
      const [inspect] = JSON.parse((await podman(['inspect', name])).stdout) as [
        { State: { Health?: { Status: string }; Healthcheck?: { Status: string } } },
      ];
      expect((inspect.State.Health ?? inspect.State.Healthcheck)?.Status).toBe('healthy');
    });

    it('writes its state and audit under /var/lib/aegis-sentinel, with no EACCES at start or stop', async () => {
      // One healing decision, so the audit holds a line: an alert no rule matches.
      const heal = await fetch(`http://127.0.0.1:${port}/heal`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          version: '4',
          status: 'firing',
          receiver: 'aegis-heal',
          groupKey: 'image-test',
          alerts: [
            {
              status: 'firing',
              labels: { alertname: 'ImageTierProbe', instance: 'image-test' },
              annotations: {},
              startsAt: new Date().toISOString(),
              endsAt: '0001-01-01T00:00:00Z',
              fingerprint: '1a2b3c4d5e6f7a8b',
            },
          ],
        }),
      });
      expect(heal.status).toBeLessThan(300);
      // SIGTERM, as `docker stop` sends: the agent saves its detector state on the way out.
      await timed('container stop', () => podman(['stop', '--time', '20', name]));
      const { stdout, stderr } = await podman(['logs', name]);
      logs = stdout + stderr;
      expect(logs).toContain('detector_state_saved');
      expect(logs).not.toMatch(/EACCES|permission denied/i);

      await podman(['cp', `${name}:/var/lib/aegis-sentinel/.`, stateDir]);
      const statePath = join(stateDir, 'data', 'detector-state.json');
      const auditPath = join(stateDir, 'aegis_heal_audit.jsonl');
      expect(existsSync(statePath), 'detector state').toBe(true);
      expect((await stat(statePath)).size).toBeGreaterThan(0);
      const audit = (await readFile(auditPath, 'utf8')).trim().split('\n');
      expect(audit.map((line) => (JSON.parse(line) as { alertname: string }).alertname)).toContain(
        'ImageTierProbe',
      );
    });
  });
});

describe('the shipped docker-compose.yml, run by docker-compose against podman', () => {
  const project = 'aegisimagetest';
  const hostPorts = [8737, 8080, 9090, 9093];
  let composeEnv: NodeJS.ProcessEnv;
  const compose = (args: string[], timeoutMs = 300_000) =>
    runCommand(
      'docker-compose',
      [
        '--project-directory',
        ROOT,
        '--file',
        join(ROOT, 'docker-compose.yml'),
        '--project-name',
        project,
        ...args,
      ],
      { env: composeEnv, timeoutMs },
    );
  const agent = (path: string) => fetchText(`http://127.0.0.1:8737${path}`);

  beforeAll(async () => {
    // The file publishes fixed loopback ports: fail clearly when something holds one.
    for (const port of hostPorts) {
      const busy = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1_000) })
        .then(() => true)
        .catch((error: Error) => !/ECONNREFUSED/.test(String(error.cause ?? error)));
      expect(busy, `127.0.0.1:${port} is in use; the compose file publishes it`).toBe(false);
    }
    // Docker's socket is group-accessible (root:docker, 0660) and the agent, running as
    // `node`, reaches it through compose's group_add; podman makes its socket 0600.
    await chmod(engine.socketPath, 0o660);
    composeEnv = {
      ...process.env,
      DOCKER_HOST: engine.dockerHost,
      // The agent's container mounts the engine's socket: here podman's.
      DOCKER_SOCKET: engine.socketPath,
      // As docs/stack.md says: DOCKER_GID=$(stat -c %g /var/run/docker.sock).
      DOCKER_GID: String((await stat(engine.socketPath)).gid),
    };
    // Grafana is in a profile and not started; the agent's image was built above.
    await timed('docker-compose up', () => compose(['up', '--detach', '--no-build']));
  }, 600_000);

  afterAll(async () => {
    if (!composeEnv) return;
    const logs = await compose(['logs', '--no-color', 'aegis-sentinel']).catch(() => undefined);
    if (logs) console.log(`aegis-sentinel logs (tail):\n${logs.stdout.slice(-4_000)}`);
    await timed('docker-compose down -v', () =>
      compose(['down', '--volumes', '--timeout', '5']).catch((error: unknown) => {
        console.error(String(error));
      }),
    );
  }, 300_000);

  it('comes up: Prometheus scrapes the agent, which probes the demo by its service name', async () => {
    await timed('compose up to the agent probing the demo', () =>
      waitFor(
        'aegis_probe_success{target="demo"} 1',
        async () => {
          const text = await agent('/metrics');
          if (text === undefined) return undefined;
          return sampleValue(parseExposition(text), 'aegis_probe_success', { target: 'demo' }) === 1
            ? true
            : undefined;
        },
        120_000,
      ),
    );
    await waitFor(
      'Prometheus scraping the agent',
      async () => {
        const body = await fetchText('http://127.0.0.1:9090/api/v1/targets');
        const targets = body
          ? (
              JSON.parse(body) as {
                data: { activeTargets: { labels: { job: string }; health: string }[] };
              }
            ).data.activeTargets
          : [];
        return targets.some((t) => t.labels.job === 'aegis-sentinel' && t.health === 'up')
          ? true
          : undefined;
      },
      90_000,
    );
    // Alertmanager answers, and Redis (the healer's store) is reachable: /healthz is 200.
    expect(await fetchText('http://127.0.0.1:9093/-/ready')).toBeDefined();
    expect(await agent('/healthz')).toBeDefined();
  });

  it('heals the demo: killed, the agent restarts it through the Docker API', async () => {
    const startedAt = async () => {
      const [inspect] = JSON.parse((await podman(['inspect', 'aegis-demo'])).stdout) as [
        { State: { Status: string; StartedAt: string } },
      ];
      return inspect.State;
    };
    const before = await startedAt();
    expect(before.Status).toBe('running');
    const killedAt = Date.now();
    // A crash (its process SIGKILLed from the host), not `podman kill`: a person's kill is left alone.
    const pid = (await podman(['inspect', '--format', '{{.State.Pid}}', 'aegis-demo'])).stdout;
    process.kill(Number(pid.trim()), 'SIGKILL');
    await timed('kill to the demo running again', () =>
      waitFor(
        'aegis-demo running again',
        async () => {
          const state = await startedAt();
          return state.Status === 'running' && state.StartedAt !== before.StartedAt
            ? state
            : undefined;
        },
        120_000,
      ),
    );
    console.log(`kill to running again: ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
    // The agent's own record of it.
    const restart = await waitFor(
      'a succeeded docker_restart of aegis-demo in /status',
      async () => {
        const body = await agent('/status');
        const recent = body
          ? (JSON.parse(body) as { healing: { recent: Record<string, unknown>[] } }).healing.recent
          : [];
        return recent.find(
          (entry) =>
            entry.action === 'docker_restart' &&
            // The audit names the target with its action: docker_restart:aegis-demo.
            entry.target === 'docker_restart:aegis-demo' &&
            entry.decision === 'succeeded',
        );
      },
      60_000,
    );
    expect(restart).toMatchObject({ alertname: 'AegisContainerExited' });
    expect(await fetchText('http://127.0.0.1:8080/')).toContain('hello from the demo');
  });
});
