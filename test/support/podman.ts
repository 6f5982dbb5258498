// A real Docker Engine API for tests: Debian's podman serving the compat API (v1.41) on a
// private unix socket, with storage, state and image in a fresh temp dir. No Docker daemon
// runs on these machines and no registry is reachable; dockerode talks to podman unchanged.
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CommandOutput,
  type DaemonProcess,
  runCommand,
  spawnDaemon,
  waitUntilReady,
} from './processes.js';

const BUSYBOX_IMAGE = 'localhost/busybox:latest';
const BUSYBOX_BINARY = '/bin/busybox';

// runc: crun refuses the hybrid cgroup layout. cgroupfs: no systemd. ulimits: the default
// raise of nofile/nproc above the hard limits is refused. netns host: a server in a
// container is reachable on 127.0.0.1. events file: no journald. The runtime is a
// wrapper that gives runc this engine's private state root: a `--runtime-flag` would
// reach podman's own calls but not the `container cleanup` that conmon runs when a
// container exits, which then left runc's state behind, so the next start of a killed
// container failed with "container with given ID already exists".
function containersConf(runcWrapper: string): string {
  return `[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "host"
[engine]
runtime = "aegisrunc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[engine.runtimes]
aegisrunc = ["${runcWrapper}"]
`;
}

export interface ContainerSpec {
  name: string;
  labels?: Record<string, string>;
  cmd: string[];
  /** Evaluated only by `podman healthcheck run NAME`: nothing runs it on a timer here. */
  healthCmd?: string;
  env?: Record<string, string>;
  /** `host-path:container-path[:options]`, as for `podman run -v`. */
  volumes?: string[];
  /** Seconds a stop/restart without `t` waits before SIGKILL; busybox as PID 1 ignores SIGTERM. */
  stopTimeoutSeconds?: number;
  /** `podman run --restart`, e.g. `always` for a container that crash-loops. @default no */
  restartPolicy?: string;
}

export interface PodmanEngine {
  /** For dockerode: `new Docker({ socketPath })`. */
  socketPath: string;
  /** `unix://` + socketPath, for DOCKER_HOST. */
  dockerHost: string;
  /** The private temp dir holding storage, state, config and the socket. */
  dir: string;
  /** Runs podman against this engine's private storage; rejects on a non-zero exit. */
  podman(args: string[]): Promise<CommandOutput>;
  /** The podman command line (`podman --root …`) and environment of `podman()`, for scripts. */
  command: string[];
  env: NodeJS.ProcessEnv;
  /** `podman run -d` of the busybox image; resolves to the container id. */
  run(spec: ContainerSpec): Promise<string>;
  /**
   * Crashes a running container: SIGKILLs its main process from the host, as the
   * kernel's OOM killer would. Not `podman kill`, which the engine logs as a person's
   * request, and which the healer therefore leaves alone.
   */
  crash(name: string): Promise<void>;
  /** Removes every container, stops the API service and deletes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export async function startPodmanEngine(): Promise<PodmanEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'aegis-podman-'));
  const socketPath = join(dir, 'docker.sock');
  const runcRoot = join(dir, 'runc');
  const confPath = join(dir, 'containers.conf');
  const runcWrapper = join(dir, 'runc-private');
  await writeFile(runcWrapper, `#!/bin/sh\nexec runc --root ${runcRoot} "$@"\n`, { mode: 0o755 });
  await writeFile(confPath, containersConf(runcWrapper));

  // --tmpdir and runc's --root default to /run/libpod and /run/runc, shared by every engine
  // on the machine; keeping them in `dir` lets parallel engines and cleanup stay independent.
  const globalArgs = [
    '--root',
    join(dir, 'storage'),
    '--runroot',
    join(dir, 'run'),
    '--tmpdir',
    join(dir, 'tmp'),
  ];
  // Only podman's own processes see the config: the test process's environment is untouched.
  const env = { ...process.env, CONTAINERS_CONF: confPath };
  const podman = (args: string[]) => runCommand('podman', [...globalArgs, ...args], { env });
  let service: DaemonProcess | undefined;

  let stopping: Promise<void> | undefined;
  const engine: PodmanEngine = {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    dir,
    podman,
    command: ['podman', ...globalArgs],
    env,
    run: async (spec) => (await podman(runArgs(spec))).stdout.trim(),
    crash: async (name) => {
      const { stdout } = await podman(['inspect', '--format', '{{.State.Pid}}', name]);
      process.kill(Number(stdout.trim()), 'SIGKILL');
    },
    stop: () => {
      stopping ??= (async () => {
        await podman(['rm', '--all', '--force', '--time', '0']).catch(() => undefined);
        await service?.stop();
        await removeLeftovers(dir, runcRoot);
      })();
      return stopping;
    },
  };

  try {
    await importBusyboxImage(dir, podman);
    service = spawnDaemon(
      'podman',
      [...globalArgs, 'system', 'service', '--time=0', `unix://${socketPath}`],
      { env },
    );
    await waitUntilReady('podman system service', () => answersPing(socketPath), {
      daemon: service,
      timeoutMs: 30_000,
    });
  } catch (error) {
    await engine.stop();
    throw error;
  }
  return engine;
}

function runArgs(spec: ContainerSpec): string[] {
  const args = ['run', '--detach', '--pull', 'never', '--name', spec.name];
  args.push('--stop-timeout', String(spec.stopTimeoutSeconds ?? 1));
  if (spec.restartPolicy !== undefined) args.push('--restart', spec.restartPolicy);
  for (const [key, value] of Object.entries(spec.labels ?? {}))
    args.push('--label', `${key}=${value}`);
  for (const [key, value] of Object.entries(spec.env ?? {})) args.push('--env', `${key}=${value}`);
  for (const volume of spec.volumes ?? []) args.push('--volume', volume);
  if (spec.healthCmd !== undefined) {
    // Without systemd a health interval only logs errors; checks run on demand instead.
    args.push('--health-cmd', spec.healthCmd, '--health-interval', 'disable');
  }
  return [...args, BUSYBOX_IMAGE, ...spec.cmd];
}

/** No registry is reachable: the image is the static busybox with every applet linked. */
async function importBusyboxImage(
  dir: string,
  podman: (args: string[]) => Promise<CommandOutput>,
): Promise<void> {
  const rootfs = join(dir, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await mkdir(join(rootfs, 'tmp'), { mode: 0o1777 });
  await copyFile(BUSYBOX_BINARY, join(rootfs, 'bin', 'busybox'));
  const { stdout } = await runCommand(BUSYBOX_BINARY, ['--list']);
  const applets = stdout.split('\n').filter((name) => name !== '' && name !== 'busybox');
  await Promise.all(applets.map((name) => symlink('busybox', join(rootfs, 'bin', name))));
  const tarball = join(dir, 'busybox.tar');
  await runCommand('tar', ['-C', rootfs, '-cf', tarball, '.']);
  await podman(['import', '--quiet', tarball, BUSYBOX_IMAGE]);
  await rm(rootfs, { recursive: true });
  await rm(tarball);
}

function answersPing(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

/**
 * What `podman rm` could not clean (its database gone, a test killed midway): containers
 * still known to runc, processes (conmon, cleanup) working in `dir`, and mounts under it.
 * Everything matched is private to this engine, so other engines are never touched.
 */
async function removeLeftovers(dir: string, runcRoot: string): Promise<void> {
  const containerIds = await readdir(runcRoot).catch(() => []);
  for (const id of containerIds) {
    await runCommand('runc', ['--root', runcRoot, 'delete', '--force', id]).catch(() => undefined);
  }
  await killProcessesUsing(dir);
  for (const mountPoint of await mountPointsUnder(dir)) {
    await runCommand('umount', ['--lazy', mountPoint]).catch(() => undefined);
  }
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

async function killProcessesUsing(dir: string): Promise<void> {
  const marker = `${dir}/`;
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
  for (const pid of pids) {
    if (pid === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(marker)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Deepest first, so nested mounts come off before their parents. */
async function mountPointsUnder(dir: string): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((field) =>
      field.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    )
    .filter((mountPoint) => mountPoint.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}
