/**
 * bench:storm — is the agent still answering while Alertmanager floods /heal? A real
 * agent process (dist/cli.js, as operators run it) receives a storm of alerts in large
 * notifications, actions in dry run, while a prober asks /healthz and /metrics every
 * few milliseconds. It prints their p50/p99 during the storm beside the same figures at
 * rest, and checks the target: p99 under 50 ms during the storm.
 *
 * The storm is sent by a child process (this file with --send), so building and sending
 * 1,000-alert bodies does not delay the prober's own clock; the agent runs on its own
 * CPU. The storm lasts until the agent has recorded every alert's dry run
 * (aegis_heal_actions_total{result="dry_run"}), not just until /heal answered: the
 * dispatcher's work after the 202s counts.
 *
 *   npm run bench:storm [-- --alerts 100000 --per-notification 1000 --senders 4 --pin
 *                          --profile DIR --cli OTHER/dist/cli.js
 *                          --node-option --trace-gc --agent-flag --log.level=warn
 *                          --agent-log FILE]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { pinLoadAndServers } from './support/cpu-pinning.js';
import { postHeal } from './support/post-heal.js';
import { quantile } from './support/stats.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const ALERTS = option('alerts', 100_000);
const PER_NOTIFICATION = option('per-notification', 1_000);
const SENDERS = option('senders', 4);
/** Time between two probes of the prober (each waits for its answer first). */
const PROBE_INTERVAL_MS = option('probe-interval', 10);
const REST_PROBES = option('rest-probes', 300);
/** `--pin`: the agent on a CPU of its own (taskset), as bench:heal does; on a shared machine the scheduler may do better. */
const PIN = args.includes('--pin');
const profileIndex = args.indexOf('--profile');
const PROFILE_DIR = profileIndex === -1 ? undefined : args[profileIndex + 1];
/** `--node-option FLAG` (repeatable): a Node.js or V8 flag for the agent's process, `--trace-gc` say. */
const NODE_OPTIONS = args.flatMap((arg, index) =>
  arg === '--node-option' && args[index + 1] !== undefined ? [args[index + 1] as string] : [],
);
/** `--agent-flag FLAG` (repeatable): one more flag for the agent, `--log.level=warn` say. */
const AGENT_FLAGS = args.flatMap((arg, index) =>
  arg === '--agent-flag' && args[index + 1] !== undefined ? [args[index + 1] as string] : [],
);
/** `--agent-log FILE`: keep the agent's stdout (its log, and what --trace-gc prints) there. */
const agentLogIndex = args.indexOf('--agent-log');
const AGENT_LOG = agentLogIndex === -1 ? undefined : args[agentLogIndex + 1];
const TARGET_MS = 50;
const TOKEN = 'bench-storm-token';
const SERVICES = 50;
/** `--cli FILE`: another build of the agent (an earlier revision's dist/cli.js), to compare. */
const cliIndex = args.indexOf('--cli');
const CLI =
  cliIndex === -1
    ? fileURLToPath(new URL('../../dist/cli.js', import.meta.url))
    : (args[cliIndex + 1] as string);

// ---------------------------------------------------------------------------------------
// The sender (a child process): every alert a new episode, PER_NOTIFICATION to a body.

function notification(first: number, count: number): string {
  const alerts = [];
  for (let index = first; index < first + count; index += 1) {
    alerts.push({
      status: 'firing',
      labels: {
        alertname: 'StormDown',
        severity: 'critical',
        service: `api-${index % SERVICES}`,
        instance: `node${index % 7}:8737`,
        job: 'aegis-sentinel',
      },
      annotations: { summary: 'a storm alert', description: 'fired by bench/storm.ts' },
      startsAt: new Date(1_700_000_000_000 + index * 1000).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up+%3D%3D+0',
      fingerprint: (index + 1).toString(16).padStart(16, '0'),
    });
  }
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="StormDown"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'aegis-heal',
    groupLabels: { alertname: 'StormDown' },
    commonLabels: { alertname: 'StormDown', severity: 'critical' },
    commonAnnotations: { summary: 'a storm alert' },
    externalURL: 'http://alertmanager:9093',
    alerts,
  });
}

async function send(port: number): Promise<void> {
  const payloads: string[] = [];
  for (let first = 0; first < ALERTS; first += PER_NOTIFICATION)
    payloads.push(notification(first, Math.min(PER_NOTIFICATION, ALERTS - first)));
  process.stdout.write(`READY ${payloads.length}\n`);
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
  let next = 0;
  const statuses = new Map<number, number>();
  const worker = async (): Promise<void> => {
    while (next < payloads.length) {
      const payload = payloads[next] as string;
      next += 1;
      // A 503 is delivered again, as Alertmanager does: after 0.5 s, then 1.5 times longer.
      for (let delayMs = 500; ; delayMs *= 1.5) {
        const status = await postHeal(agent, port, TOKEN, payload);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status !== 503) break;
        await sleep(delayMs);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: SENDERS }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  process.stdout.write(
    `SENT ${JSON.stringify({ seconds, statuses: Object.fromEntries(statuses) })}\n`,
  );
}

// ---------------------------------------------------------------------------------------
// The agent, the prober and the report.

interface Probe {
  path: string;
  ms: number;
  status: number;
}

function get(agent: Agent, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function probe(agent: Agent, port: number, path: string): Promise<Probe> {
  const started = performance.now();
  const { status } = await get(agent, port, path);
  return { path, ms: performance.now() - started, status };
}

/** A loopback port the kernel just handed out. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Dry runs the agent has recorded, from its own exposition. */
async function dryRuns(agent: Agent, port: number): Promise<number> {
  const { body } = await get(agent, port, '/metrics');
  const line = /^aegis_heal_actions_total\{action="exec",result="dry_run"\} (\d+)/m.exec(body);
  return line ? Number(line[1]) : 0;
}

async function startAgent(
  dir: string,
  port: number,
  serverPrefix: string[],
): Promise<ChildProcess> {
  const policy = join(dir, 'policy.yml');
  writeFileSync(
    policy,
    `- name: storm\n  matchers: ['alertname="StormDown"']\n  action: exec\n  target: 'svc-{{ $labels.service }}'\n  argv: ['/bin/true', '{{ $labels.service }}']\n`,
  );
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const [command, ...prefix] = [...serverPrefix, process.execPath];
  // The log goes to a file, as it would go to journald or a container's log: real writes.
  const log = openSync(AGENT_LOG ?? join(dir, 'agent.log'), 'a');
  const child = spawn(
    command as string,
    [
      ...prefix,
      ...profile,
      ...NODE_OPTIONS,
      CLI,
      `--web.listen-address=127.0.0.1:${port}`,
      '--monitoring.collection-interval=1s',
      '--no-collector.containers',
      '--no-detection.enabled',
      `--recovery.policy-file=${policy}`,
      '--recovery.dry-run',
      '--recovery.allowed-commands=/bin/true',
      '--no-recovery.enable-local-alerts',
      `--recovery.audit-file=${join(dir, 'audit.jsonl')}`,
      ...AGENT_FLAGS,
    ],
    {
      cwd: dir,
      stdio: ['ignore', log, 'inherit'],
      env: { ...process.env, AEGIS_HEAL_TOKEN: TOKEN },
    },
  );
  const agent = new Agent({ keepAlive: true });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the agent exited with ${child.exitCode}`);
    try {
      if ((await get(agent, port, '/healthz')).status === 200) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('the agent did not become healthy in 30 s');
    await sleep(100);
  }
  agent.destroy();
  return child;
}

function startSender(port: number): Promise<{ child: ChildProcess; go(): Promise<string> }> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), '--send', String(port), ...args],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  const lines: Array<(line: string) => void> = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    let newline = out.indexOf('\n');
    while (newline !== -1) {
      const line = out.slice(0, newline);
      out = out.slice(newline + 1);
      lines.shift()?.(line);
      newline = out.indexOf('\n');
    }
  });
  const nextLine = () => new Promise<string>((resolve) => lines.push(resolve));
  return nextLine().then(() => ({
    child,
    go: () => {
      const sent = nextLine();
      child.stdin?.end('go\n');
      return sent;
    },
  }));
}

/** Probes /healthz and /metrics in turn, one every PROBE_INTERVAL_MS, until `until` says stop. */
async function probeLoop(agent: Agent, port: number, until: () => boolean): Promise<Probe[]> {
  const probes: Probe[] = [];
  for (let index = 0; !until(); index += 1) {
    probes.push(await probe(agent, port, index % 2 === 0 ? '/healthz' : '/metrics'));
    await sleep(PROBE_INTERVAL_MS);
  }
  return probes;
}

function figures(probes: readonly Probe[], path: string) {
  const mine = probes.filter((p) => p.path === path);
  const ms = mine.map((p) => p.ms);
  return {
    count: mine.length,
    p50: quantile(ms, 0.5),
    p99: quantile(ms, 0.99),
    max: Math.max(...ms),
    not200: mine.filter((p) => p.status !== 200).length,
  };
}

async function main(): Promise<void> {
  const pinning = PIN
    ? pinLoadAndServers()
    : { serverPrefix: [], description: 'not pinned (--pin pins the agent to a CPU)' };
  const dir = mkdtempSync(join(tmpdir(), 'aegis-bench-storm-'));
  const port = await freeLoopbackPort();
  const agentProcess = await startAgent(dir, port, pinning.serverPrefix);
  const prober = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const sender = await startSender(port);
    let restCount = 0;
    const rest = await probeLoop(prober, port, () => (restCount += 1) > REST_PROBES * 2);
    let stormOver = false;
    const stormStarted = performance.now();
    const sent = sender.go();
    const during = probeLoop(prober, port, () => stormOver);
    const sentLine = await sent;
    const sentAt = performance.now();
    const counter = new Agent({ keepAlive: true, maxSockets: 1 });
    let done = await dryRuns(counter, port);
    const drainDeadline = Date.now() + 600_000;
    while (done < ALERTS && Date.now() < drainDeadline) {
      await sleep(200);
      done = await dryRuns(counter, port);
    }
    counter.destroy();
    stormOver = true;
    const storm = await during;
    const stormSeconds = (performance.now() - stormStarted) / 1000;
    const { seconds: sendSeconds, statuses } = JSON.parse(sentLine.replace(/^SENT /, '')) as {
      seconds: number;
      statuses: Record<string, number>;
    };

    console.log(
      `bench:storm: ${ALERTS} alerts in notifications of ${PER_NOTIFICATION}, ${SENDERS} senders, dry run, a real agent (${cliIndex === -1 ? 'dist/cli.js' : CLI}); ${pinning.description}; load average ${loadavg()
        .map((load) => load.toFixed(1))
        .join(' ')} on ${availableParallelism()} CPUs`,
    );
    console.log(
      `/heal answers ${JSON.stringify(statuses)} in ${sendSeconds.toFixed(1)} s; every dry run recorded after ${stormSeconds.toFixed(1)} s (${done}/${ALERTS}); ${((sentAt - stormStarted) / 1000).toFixed(1)} s to send`,
    );
    let pass = true;
    for (const path of ['/healthz', '/metrics']) {
      const calm = figures(rest, path);
      const busy = figures(storm, path);
      const ok = busy.p99 <= TARGET_MS && busy.not200 === 0;
      pass &&= ok;
      console.log(
        `${path.padEnd(9)} at rest (${calm.count}): p50 ${calm.p50.toFixed(2)} ms, p99 ${calm.p99.toFixed(2)} ms | ` +
          `storm (${busy.count}): p50 ${busy.p50.toFixed(2)} ms, p99 ${busy.p99.toFixed(2)} ms, max ${busy.max.toFixed(1)} ms, ${busy.not200} not 200 | ` +
          `p99 ratio ${(busy.p99 / calm.p99).toFixed(1)}x | target p99 <= ${TARGET_MS} ms ${ok ? 'PASS' : 'FAIL'}`,
      );
    }
    if (done < ALERTS) {
      console.log(`only ${done} of ${ALERTS} dry runs recorded in 10 minutes`);
      pass = false;
    }
    if (!pass) process.exitCode = 1;
  } finally {
    prober.destroy();
    const exited = new Promise((resolve) => agentProcess.once('exit', resolve));
    agentProcess.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const sendIndex = args.indexOf('--send');
if (sendIndex === -1) await main();
else await send(Number(args[sendIndex + 1]));
