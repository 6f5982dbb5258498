/**
 * bench:heal — POST /heal throughput and latency, actions in dry run, served by the
 * agent's own HTTP surface (createApp), against a bare express JSON handler on the same
 * path (the target's reference) and a bare node:http one (the floor), all driven by the
 * same load loop over loopback; and the delay from a notification's arrival to its
 * action's start.
 *
 * Each server runs in its own child process (this file with --serve), so the load
 * generator does not share its event loop. Every request is a new alert episode (a
 * fresh fingerprint), so the healer does its full work for each: auth, schema, policy,
 * label safety, claim, queue, dispatch, audit line and log lines.
 *
 *   npm run bench:heal [-- --requests 20000 --concurrency 32 --rounds 3 --profile DIR]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { destination, pino } from 'pino';
import { Registry } from 'prom-client';
import { recoverySchema } from '../src/config/recovery.js';
import { Healer } from '../src/heal/healer.js';
import { createApp } from '../src/http/app.js';
import { loggerOptions } from '../src/logger.js';
import { ExpositionRenderer } from '../src/metrics/exposition.js';
import { type CpuPinning, pinLoadAndServers } from './support/cpu-pinning.js';
import { postHeal } from './support/post-heal.js';
import { processCpuSeconds } from './support/process-cpu.js';
import { median, quantile } from './support/stats.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(args[index + 1]);
};
const REQUESTS = option('requests', 20_000);
const CONCURRENCY = option('concurrency', 32);
const ROUNDS = option('rounds', 3);
/** `--profile DIR`: each server writes a V8 CPU profile there, to see where a request's time goes. */
const profileIndex = args.indexOf('--profile');
const PROFILE_DIR = profileIndex === -1 ? undefined : args[profileIndex + 1];
const WARMUP = 3_000;
const TOKEN = 'bench-heal-token';
const SERVICES = 50;

/**
 * `bare`: the reference the target is set against, a bare express JSON handler.
 * `node`: a bare node:http JSON handler, the floor of what any handler on this machine
 * costs, so the healer's own share of a request shows too.
 */
type Mode = 'heal' | 'bare' | 'node';
const MODES: readonly Mode[] = ['bare', 'node', 'heal'];

// ---------------------------------------------------------------------------------------
// The servers (child processes).

async function serve(mode: Mode): Promise<void> {
  let listener: RequestListener;
  let healer: Healer | undefined;
  let dir: string | undefined;
  if (mode === 'bare') {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.post('/heal', express.json({ limit: 1_048_576 }), (req, res) => {
      res
        .status(202)
        .json({ status: 'accepted', alerts: (req.body as { alerts?: unknown[] }).alerts?.length });
    });
    listener = app;
  } else if (mode === 'node') {
    listener = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { alerts?: unknown[] };
        const text = JSON.stringify({ status: 'accepted', alerts: body.alerts?.length });
        res.writeHead(202, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
      });
    };
  } else {
    let delays: number[] = [];
    dir = mkdtempSync(join(tmpdir(), 'aegis-bench-heal-'));
    process.env.AEGIS_BENCH_HEAL_TOKEN = TOKEN;
    const policy = join(dir, 'policy.yml');
    writeFileSync(
      policy,
      `- name: bench\n  matchers: ['alertname="BenchDown"']\n  action: exec\n  target: 'svc-{{ $labels.service }}'\n  argv: ['/bin/true', '{{ $labels.service }}']\n`,
    );
    // The agent logs every decision as a JSON line; so does the bench, formatted as the
    // agent's, to a sink, and a hook picks the dispatch delay off the dry-run lines.
    const logger = pino(
      {
        ...loggerOptions('info'),
        hooks: {
          logMethod(inputArgs, method) {
            const fields = inputArgs[0] as { dispatch_delay_ms?: number };
            if (typeof fields === 'object' && fields.dispatch_delay_ms !== undefined)
              delays.push(fields.dispatch_delay_ms);
            method.apply(this, inputArgs);
          },
        },
      },
      destination({ dest: '/dev/null', sync: false }),
    );
    healer = new Healer({
      config: recoverySchema.parse({
        policy_file: policy,
        dry_run: true,
        auth_token_env: 'AEGIS_BENCH_HEAL_TOKEN',
        allowed_commands: ['/bin/true'],
        audit_file: join(dir, 'audit.jsonl'),
        enable_local_alerts: false,
      }),
      registry: new Registry(),
      logger,
    });
    await healer.start();
    // The agent's own HTTP surface, as `aegis-sentinel` serves it.
    const agent = createApp({
      renderer: new ExpositionRenderer(new Registry()),
      status: () => ({}),
      health: () => ({ healthy: true }),
      logger,
      heal: healer.handler(),
    });
    listener = (req, res) => {
      if (req.url !== '/bench/delays') {
        agent(req, res);
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(delays));
      delays = [];
    };
  }
  const server = createServer(listener).listen(0, '127.0.0.1', () => {
    process.stdout.write(`PORT ${(server.address() as AddressInfo).port}\n`);
  });
  server.keepAliveTimeout = 65_000;
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void (healer?.stop() ?? Promise.resolve()).then(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

function startServer(
  mode: Mode,
  pinning: CpuPinning,
): Promise<{ child: ChildProcess; port: number }> {
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  const [command, ...prefix] = [...pinning.serverPrefix, process.execPath];
  const child = spawn(
    command as string,
    [...prefix, ...profile, fileURLToPath(import.meta.url), '--serve', mode],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

// ---------------------------------------------------------------------------------------
// The load generator: a fixed number of requests, a fixed concurrency, keep-alive sockets.

let sequence = 0;

function body(): string {
  sequence += 1;
  return JSON.stringify({
    version: '4',
    groupKey: '{}:{alertname="BenchDown"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'aegis-heal',
    groupLabels: { alertname: 'BenchDown' },
    commonLabels: { alertname: 'BenchDown', severity: 'critical' },
    commonAnnotations: { summary: 'a benchmark alert' },
    externalURL: 'http://alertmanager:9093',
    alerts: [
      {
        status: 'firing',
        labels: {
          alertname: 'BenchDown',
          severity: 'critical',
          service: `api-${sequence % SERVICES}`,
          instance: 'node1:8737',
          job: 'aegis-sentinel',
        },
        annotations: { summary: 'a benchmark alert', description: 'fired by bench/heal.ts' },
        startsAt: new Date(1_700_000_000_000 + sequence * 1000).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=up+%3D%3D+0',
        fingerprint: sequence.toString(16).padStart(16, '0'),
      },
    ],
  });
}

interface Round {
  rps: number;
  latencies: number[];
  /** Server CPU seconds per request, from /proc: robust to a load generator or neighbours slowing the run. */
  cpuPerRequest: number;
}

async function load(server: { child: ChildProcess; port: number }, count: number): Promise<Round> {
  const { port } = server;
  const pid = server.child.pid as number;
  const cpuBefore = processCpuSeconds(pid);
  const payloads = Array.from({ length: count }, body);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = new Array<number>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      const started = performance.now();
      const status = await postHeal(agent, port, TOKEN, payloads[index] as string);
      latencies[index] = performance.now() - started;
      if (status !== 202) throw new Error(`request ${index} answered ${status}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    rps: count / seconds,
    latencies,
    cpuPerRequest: (processCpuSeconds(pid) - cpuBefore) / count,
  };
}

async function main(): Promise<void> {
  const pinning = pinLoadAndServers();
  const servers = {
    bare: await startServer('bare', pinning),
    node: await startServer('node', pinning),
    heal: await startServer('heal', pinning),
  };
  try {
    for (const mode of MODES) await load(servers[mode], WARMUP);
    await fetch(`http://127.0.0.1:${servers.heal.port}/bench/delays`).then((r) => r.arrayBuffer());
    const rounds: Record<Mode, Round[]> = { bare: [], node: [], heal: [] };
    // Alternating rounds, so drift on a shared machine hits every server alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const mode of MODES) rounds[mode].push(await load(servers[mode], REQUESTS));
    }
    const delays = (await (
      await fetch(`http://127.0.0.1:${servers.heal.port}/bench/delays`)
    ).json()) as number[];
    const figures = (mode: Mode) => {
      const all = rounds[mode].flatMap((round) => round.latencies);
      return {
        rps: median(rounds[mode].map((round) => round.rps)),
        p50: quantile(all, 0.5),
        p99: quantile(all, 0.99),
        cpu: median(rounds[mode].map((round) => round.cpuPerRequest)),
      };
    };
    const bare = figures('bare');
    const node = figures('node');
    const heal = figures('heal');
    const ratio = heal.rps / bare.rps;
    const delayP99 = quantile(delays, 0.99);
    console.log(
      `bench:heal: ${ROUNDS} rounds x ${REQUESTS} requests, concurrency ${CONCURRENCY}, keep-alive, loopback, dry run; ${pinning.description}`,
    );
    const row = (name: string, f: { rps: number; p50: number; p99: number; cpu: number }) =>
      `${name.padEnd(22)} ${f.rps.toFixed(0).padStart(7)} req/s   p50 ${f.p50.toFixed(2)} ms   p99 ${f.p99.toFixed(2)} ms   server CPU ${(f.cpu * 1e6).toFixed(0)} µs/request`;
    console.log(row('bare express JSON', bare));
    console.log(row('bare node:http JSON', node));
    console.log(row('POST /heal (healer)', heal));
    console.log(
      `throughput ratio heal/bare: ${(ratio * 100).toFixed(1)}% (target >= 70%) ${ratio >= 0.7 ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      `healer's own work: ${((heal.cpu - node.cpu) * 1e6).toFixed(0)} µs of CPU per notification over the bare node:http handler; heal/node:http throughput ${((heal.rps / node.rps) * 100).toFixed(1)}%`,
    );
    console.log(
      `notification -> action start (dry run), ${delays.length} actions: p50 ${quantile(delays, 0.5).toFixed(2)} ms, p99 ${delayP99.toFixed(2)} ms (target < 50 ms) ${delayP99 < 50 ? 'PASS' : 'FAIL'}`,
    );
    if (delays.length !== ROUNDS * REQUESTS)
      throw new Error(`expected ${ROUNDS * REQUESTS} dry-run actions, saw ${delays.length}`);
    if (ratio < 0.7 || delayP99 >= 50) process.exitCode = 1;
  } finally {
    await Promise.all(MODES.map((mode) => stopServer(servers[mode].child)));
  }
}

const serveIndex = args.indexOf('--serve');
if (serveIndex === -1) await main();
else await serve(args[serveIndex + 1] as Mode);
