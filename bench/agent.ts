/**
 * bench:agent — the agent's footprint and probe timings beside node_exporter's and
 * blackbox_exporter's, measured in the same run on this machine, as ratios with their
 * targets (issue 12):
 *
 *   start-up to the first 200              agent /healthz vs node_exporter   <= 300 ms
 *   idle CPU, agent at its default 5 s     vs node_exporter scraped /15 s    ratio <= 2.5
 *   idle RSS, detector windows full        vs node_exporter                  ratio <= 2.5
 *   scrape latency and CPU per scrape      vs node_exporter                  (reported)
 *   probe duration of a fast endpoint      vs blackbox_exporter, 10 and 300  ratio <= 2
 *   CPU per probe                          vs blackbox_exporter              (reported)
 *   one hung endpoint among 100 at 1 s     host figures <= 2 s old, /healthz 200 throughout
 *
 * The machine has 2 cores and is shared: repeated measures print min / median / max and
 * ratios are of medians.
 *
 *   npm run bench:agent [-- --quick]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEndpointFleet } from '../test/support/endpoint-fleet.js';
import {
  agentLaunch,
  blackboxLaunch,
  type Exporter,
  nodeExporterLaunch,
  startExporter,
} from './agent/exporters.js';
import { FILL_ROUNDS, writeFullWindowsState } from './agent/full-windows.js';
import { watchHung } from './agent/hung.js';
import { measureIdle } from './agent/idle.js';
import { parseAgentBenchOptions, USAGE, type AgentBenchOptions } from './agent/options.js';
import { probeWindow, type ProbeWindow } from './agent/probes.js';
import { mib, ms, pct, range, Report, spread } from './agent/report.js';
import { measureScrapes } from './agent/scrape.js';
import { timeStartup } from './agent/startup.js';

const report = new Report();

async function startups(options: AgentBenchOptions): Promise<void> {
  const agent: number[] = [];
  const node: number[] = [];
  for (let run = 0; run < options.startups; run += 1) {
    agent.push(await timeStartup((port) => agentLaunch(port)));
    node.push(await timeStartup(nodeExporterLaunch));
  }
  const a = spread(agent);
  const n = spread(node);
  console.log(`\nstart-up to the first 200, ${options.startups} runs each (min / median / max)`);
  report.ratio('start-up', range(a, ms), `node_exporter ${range(n, ms)}`, a.median / n.median);
  report.check('start-up to /healthz 200', ms(a.median), a.median <= 0.3, '<= 300 ms');
}

/** The agent on its defaults, its detector restored with every window full (bench/agent/full-windows.ts). */
async function agentWithFullWindows(stateDir: string): Promise<Exporter> {
  const config = { detection: { state_file: join(stateDir, 'detector-state.json') } };
  await writeFullWindowsState(config);
  const agent = await startExporter((port) => agentLaunch(port, config));
  const status = (await (await fetch(`${agent.base}/status`)).json()) as {
    detection: { ready: boolean; series: number };
  };
  if (!status.detection.ready || status.detection.series === 0) {
    await agent.stop();
    throw new Error(
      `the agent did not restore the full windows: ${JSON.stringify(status.detection)}`,
    );
  }
  return agent;
}

async function footprint(options: AgentBenchOptions): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-agent-state-'));
  const agent = await agentWithFullWindows(stateDir);
  const node = await startExporter(nodeExporterLaunch);
  try {
    await new Promise((resolve) => setTimeout(resolve, options.settleSeconds * 1000));
    const [a, n] = await measureIdle([agent, node], options.idleWindows, options.idleWindowSeconds);
    const cpuA = spread(a!.cpu);
    const cpuN = spread(n!.cpu);
    console.log(
      `\nidle, the agent at its default 5 s interval with its detector's windows full (${FILL_ROUNDS} rounds restored), both scraped every 15 s; ${options.idleWindows} window(s) of ${options.idleWindowSeconds} s after ${options.settleSeconds} s`,
    );
    report.ratio(
      'idle CPU (share of a core)',
      range(cpuA, pct),
      `node_exporter ${range(cpuN, pct)}`,
      cpuA.median / cpuN.median,
      2.5,
    );
    const memA = a!.memory;
    const memN = n!.memory;
    report.ratio(
      'idle RSS',
      mib(memA.rssBytes),
      `node_exporter ${mib(memN.rssBytes)}`,
      memA.rssBytes / memN.rssBytes,
      2.5,
    );
    console.log(
      `  of which anonymous (heap, stacks)  ${mib(memA.anonBytes).padEnd(30)} node_exporter ${mib(memN.anonBytes).padEnd(18)} ratio ${(memA.anonBytes / memN.anonBytes).toFixed(2)}`,
    );
    console.log(
      `  of which file-backed (executable)  ${mib(memA.fileBytes).padEnd(30)} node_exporter ${mib(memN.fileBytes).padEnd(18)} ratio ${(memA.fileBytes / memN.fileBytes).toFixed(2)}`,
    );

    const sa = await measureScrapes(agent, options.scrapes);
    const sn = await measureScrapes(node, options.scrapes);
    console.log(
      `\n${options.scrapes} sequential scrapes each (agent ${sa.series} series, node_exporter ${sn.series})`,
    );
    report.ratio(
      'scrape median',
      ms(sa.median),
      `node_exporter ${ms(sn.median)}`,
      sa.median / sn.median,
    );
    report.ratio('scrape p99', ms(sa.p99), `node_exporter ${ms(sn.p99)}`, sa.p99 / sn.p99);
    report.ratio(
      'CPU per scrape',
      ms(sa.cpuPerScrape),
      `node_exporter ${ms(sn.cpuPerScrape)}`,
      sa.cpuPerScrape / sn.cpuPerScrape,
    );
  } finally {
    await agent.stop();
    await node.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

function probeAgentConfig(urls: readonly string[], names?: (index: number) => string) {
  return {
    monitoring: {
      collection_interval: 1,
      api_endpoints: urls.map((url, index) => (names ? { url, name: names(index) } : url)),
    },
  };
}

async function probes(options: AgentBenchOptions): Promise<void> {
  const fleet = await startEndpointFleet();
  const blackbox = await startExporter(blackboxLaunch);
  try {
    for (const targets of options.probeTargets) {
      const urls = fleet.urls(targets);
      const agent: Exporter = await startExporter((port) =>
        agentLaunch(port, probeAgentConfig(urls)),
      );
      const windows: ProbeWindow[] = [];
      try {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        for (let round = 0; round < options.probeRounds; round += 1)
          windows.push(await probeWindow(agent, blackbox, urls, options.probeSeconds));
      } finally {
        await agent.stop();
      }
      const of = (pick: (w: ProbeWindow) => number) => spread(windows.map(pick));
      const p50a = of((w) => w.agent.p50);
      const p50b = of((w) => w.blackbox.p50);
      const p99a = of((w) => w.agent.p99);
      const p99b = of((w) => w.blackbox.p99);
      const cpuA = of((w) => w.agent.cpuPerProbe);
      const cpuB = of((w) => w.blackbox.cpuPerProbe);
      const failures = windows.reduce((sum, w) => sum + w.agent.failures + w.blackbox.failures, 0);
      console.log(
        `\n${targets} fast loopback endpoints, each probed once a second by both at once; ${options.probeRounds} window(s) of ${options.probeSeconds} s; ${failures} failed probes`,
      );
      report.ratio(
        `probe duration p50, ${targets} targets`,
        range(p50a, ms),
        `blackbox ${range(p50b, ms)}`,
        p50a.median / p50b.median,
        2,
      );
      report.ratio(
        `probe duration p99, ${targets} targets`,
        range(p99a, ms),
        `blackbox ${range(p99b, ms)}`,
        p99a.median / p99b.median,
      );
      report.ratio(
        `CPU per probe, ${targets} targets`,
        range(cpuA, ms),
        `blackbox ${range(cpuB, ms)}`,
        cpuA.median / cpuB.median,
      );
    }

    const urls = [...fleet.urls(99), fleet.hungUrl];
    const agent = await startExporter((port) =>
      agentLaunch(
        port,
        probeAgentConfig(urls, (i) => (i === 99 ? 'hung' : `fast-${i}`)),
      ),
    );
    try {
      const hung = await watchHung(agent, blackbox, urls[0]!, fleet.hungUrl, options.hungSeconds);
      console.log(
        `\none hung endpoint among 100, 1 s interval, 5 s timeout, watched ${options.hungSeconds} s (${hung.polls} polls)`,
      );
      report.check(
        'host figures age, worst',
        `${hung.maxHostAgeSeconds.toFixed(2)} s`,
        hung.maxHostAgeSeconds <= 2,
        '<= 2 s',
      );
      report.check(
        '/healthz not 200',
        `${hung.healthzNot200} of ${hung.polls} polls`,
        hung.healthzNot200 === 0,
        '0',
      );
      console.log(
        `  hung target: success ${hung.hungSuccess}, duration ${hung.hungDurationSeconds?.toFixed(2)} s; the 99 others: median ${ms(hung.fastMedianSeconds)}`,
      );
      console.log(
        `  blackbox_exporter, same targets: hung ${hung.blackboxHungSeconds.toFixed(2)} s, fast ${ms(hung.blackboxFastSeconds)}`,
      );
    } finally {
      await agent.stop();
    }
  } finally {
    await blackbox.stop();
    await fleet.stop();
  }
}

function revision(): string {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const options = parseAgentBenchOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const started = performance.now();
  console.log(
    `bench:agent${options.quick ? ' --quick' : ''} — revision ${revision()}, ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start; Node ${process.version}`,
  );
  await startups(options);
  await footprint(options);
  await probes(options);
  report.summary();
  console.log(
    `(${((performance.now() - started) / 1000).toFixed(0)} s; load average ${loadavg()[0]!.toFixed(2)} at the end)`,
  );
}

await main();
