/**
 * `npm run bench:detect -- [--series N] [--quick] [--no-baseline]`: the detector at
 * fleet size. A live AnomalyEngine (forest trained in its worker thread, as in the
 * agent) is driven with N synthetic series (default 1,000), one round per second of
 * simulated time, until every window is full, and then measured:
 * - CPU per series update: process CPU (all threads, so the forest's fits count) over
 *   whole refit cycles of rounds, divided by rounds × series;
 * - heap per series: heapUsed + arrayBuffers after the fill minus before it, after a
 *   full GC (`node --expose-gc`), divided by series;
 * - the longest event-loop block from refits or saves: with a state save every second
 *   and forest refits running, the excess of a refit round's observe() over the median
 *   round, and the longest stretch of work the event loop ran between two rounds (save
 *   chunks, fits arriving from the worker);
 * - CPU share of a core at one round a second (CPU per round / 1 s).
 * Each engine runs in its own process: this one, and the previous engine (commit
 * BASELINE_COMMIT, built from git into a temporary directory with its own tsconfig), so
 * that the two are compared side by side on the same data. `--quick` shortens the
 * measured phases (and defaults to 100 series) for development; its windows are full
 * all the same.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { IsolationForest as MlIsolationForest } from 'ml-isolation-forest';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Snapshot } from '../src/collect/snapshot.js';
import { fitForest } from '../src/detect/isolation-forest.js';
import { mulberry32, type Random } from '../src/detect/prng.js';
import { median, quantile } from './support/stats.js';

/** The last landed engine before the range/shape/seasonal rewrite. */
const BASELINE_COMMIT = '1fa4484';
/** The repository root: this file runs from `dist-bench/bench/`. */
const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const THIS_FILE = fileURLToPath(import.meta.url);

/** Rounds until every window is full: 1000 shape blocks × 6 samples (the old engine's longest window is 2048). */
const FILL_ROUNDS = 6_000;
/** Refit cadence of both engines' defaults: CPU is measured over whole cycles. */
const REFIT_ROUNDS = 512;

const TARGETS = {
  cpuMicros: 20,
  heapKiB: 64,
  blockMs: 10,
  corePercent: 5,
};

// ---------------------------------------------------------------- synthetic fleet

/** One series' signal: level, noise, a slow cycle, steps and rare spikes. */
interface Signal {
  level: number;
  noise: number;
  amplitude: number;
  period: number;
  phase: number;
  stepEvery: number;
  stepSize: number;
  spike: number;
  random: Random;
  offset: number;
}

function normal(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function makeSignal(seed: number, scale: number): Signal {
  const random = mulberry32(seed);
  const kind = seed % 4;
  return {
    level: scale * (0.5 + random()),
    noise: scale * (kind === 0 ? 0.1 : 0.02 + 0.05 * random()),
    // "Daily-ish" at 1 s: periods of 10 minutes to 2 hours, on half the series.
    amplitude: kind === 1 || kind === 3 ? scale * (0.1 + 0.3 * random()) : 0,
    period: 600 + Math.floor(random() * 6600),
    phase: random() * 2 * Math.PI,
    // Steps on a quarter of the series, every 20 minutes to 2 hours.
    stepEvery: kind === 2 ? 1200 + Math.floor(random() * 6000) : 0,
    stepSize: scale * 0.2,
    spike: scale * 2,
    random: mulberry32(seed ^ 0x5bd1e995),
    offset: 0,
  };
}

function sample(signal: Signal, round: number): number {
  const s = signal;
  if (s.stepEvery > 0 && round > 0 && round % s.stepEvery === 0)
    s.offset += s.random() < 0.5 ? -s.stepSize : s.stepSize;
  let value =
    s.level +
    s.offset +
    s.amplitude * Math.sin(s.phase + (2 * Math.PI * round) / s.period) +
    s.noise * normal(s.random);
  if (s.random() < 0.0005) value += s.spike;
  return Math.max(0, value);
}

/**
 * Snapshots whose feature extraction yields exactly `series` series, from the sources a
 * host has: probes (latency, and success, which is nearly constant), containers (memory,
 * and a CPU counter read as a rate), network and disk counters, filesystems.
 */
class Fleet {
  readonly #probes: Signal[] = [];
  readonly #containers: { memory: Signal; cpu: Signal; seconds: number }[] = [];
  readonly #network: { rx: Signal; tx: Signal; rxBytes: number; txBytes: number }[] = [];
  readonly #disks: { read: Signal; write: Signal; readBytes: number; writtenBytes: number }[] = [];
  readonly #filesystems: Signal[] = [];
  readonly #failures: Random = mulberry32(99);

  constructor(series: number) {
    let seed = 1;
    let left = series;
    const take = (share: number, per: number): number => {
      const count = Math.min(Math.floor((series * share) / per), Math.floor(left / per));
      left -= count * per;
      return count;
    };
    for (let i = take(0.2, 2); i > 0; i -= 1) this.#probes.push(makeSignal(seed++, 0.1));
    for (let i = take(0.3, 2); i > 0; i -= 1)
      this.#containers.push({
        memory: makeSignal(seed++, 200e6),
        cpu: makeSignal(seed++, 0.2),
        seconds: 0,
      });
    for (let i = take(0.1, 2); i > 0; i -= 1)
      this.#network.push({
        rx: makeSignal(seed++, 1e6),
        tx: makeSignal(seed++, 3e5),
        rxBytes: 0,
        txBytes: 0,
      });
    for (let i = take(0.1, 2); i > 0; i -= 1)
      this.#disks.push({
        read: makeSignal(seed++, 5e5),
        write: makeSignal(seed++, 2e6),
        readBytes: 0,
        writtenBytes: 0,
      });
    for (let i = left; i > 0; i -= 1) this.#filesystems.push(makeSignal(seed++, 0.4));
  }

  snapshot(round: number): Snapshot {
    const timestamp_ms = 1_700_000_000_000 + round * 1000;
    const size = 1e12;
    return {
      timestamp_ms,
      host: {
        cpus: [],
        memory: {
          total_bytes: 0,
          available_bytes: 0,
          free_bytes: 0,
          buffers_bytes: 0,
          cached_bytes: 0,
          swap_total_bytes: 0,
          swap_free_bytes: 0,
        },
        load: { load1: 0, load5: 0, load15: 0 },
        boot_time_seconds: 0,
        filesystems: this.#filesystems.map((signal, i) => ({
          device: `/dev/fs${i}`,
          mountpoint: `/mnt/volume-${i}`,
          fstype: 'ext4',
          size_bytes: size,
          free_bytes: 0,
          avail_bytes: size * (1 - Math.min(1, sample(signal, round))),
        })),
        network: this.#network.map((n, i) => {
          n.rxBytes += sample(n.rx, round);
          n.txBytes += sample(n.tx, round);
          return {
            device: `eth${i}`,
            receive_bytes: n.rxBytes,
            transmit_bytes: n.txBytes,
            receive_packets: 0,
            transmit_packets: 0,
            receive_errs: 0,
            transmit_errs: 0,
            receive_drop: 0,
            transmit_drop: 0,
          };
        }),
        disks: this.#disks.map((d, i) => {
          d.readBytes += sample(d.read, round);
          d.writtenBytes += sample(d.write, round);
          return {
            device: `sd${i}`,
            read_bytes: d.readBytes,
            written_bytes: d.writtenBytes,
            reads_completed: 0,
            writes_completed: 0,
            io_time_seconds: 0,
          };
        }),
      },
      probes: this.#probes.map((signal, i) => ({
        target: `service-${i}`,
        url: `http://service-${i}.internal/health`,
        success: this.#failures() >= 0.0002,
        duration_seconds: sample(signal, round),
        status_code: 200,
      })),
      containers: {
        engine_up: true,
        containers: this.#containers.map((c, i) => {
          c.seconds += sample(c.cpu, round);
          return {
            id: `c${i}`,
            name: `app-${i}`,
            image: 'app:latest',
            state: 'running' as const,
            health: 'none' as const,
            restart_count: 0,
            started_at_seconds: 0,
            cpu_seconds: c.seconds,
            memory_bytes: sample(c.memory, round),
            labels: {},
          };
        }),
      },
      collectors: [],
    };
  }
}

// ---------------------------------------------------------------- one engine, in a child

interface EngineLike {
  start(): Promise<void>;
  observe(snapshot: Snapshot): unknown[];
  stop(): Promise<void>;
}

interface TrainerLike {
  /** The new engine's trainer only: see ForestTrainer. */
  readonly busy?: boolean;
  fit(...request: unknown[]): void;
  take(): unknown;
  close(): Promise<void>;
}

interface EngineModules {
  AnomalyEngine: new (options: {
    config: unknown;
    registry: Registry;
    logger: Logger;
    trainer?: TrainerLike;
  }) => EngineLike;
  WorkerForestTrainer: new (logger: Logger) => TrainerLike;
  parseConfig(input: Record<string, unknown>): unknown;
}

async function loadEngine(srcRoot: string): Promise<EngineModules> {
  const url = (path: string) => pathToFileURL(join(srcRoot, path)).href;
  const engine = (await import(url('detect/anomaly-engine.js'))) as Pick<
    EngineModules,
    'AnomalyEngine'
  >;
  const trainer = (await import(url('detect/forest-trainer.js'))) as Pick<
    EngineModules,
    'WorkerForestTrainer'
  >;
  const config = (await import(url('config/detection.js'))) as {
    detectionSchema: { parse(input: unknown): unknown };
  };
  return {
    AnomalyEngine: engine.AnomalyEngine,
    WorkerForestTrainer: trainer.WorkerForestTrainer,
    parseConfig: (input) => config.detectionSchema.parse(input),
  };
}

/** What a child reports, as one JSON line. */
interface EngineFigures {
  series: number;
  fillRounds: number;
  fillSeconds: number;
  cpuRounds: number;
  cpuMicrosPerUpdate: number;
  observeMicrosPerUpdate: number;
  fitSecondsInCpuPhase: number;
  heapBytesPerSeries: number;
  heapUsedBytesPerSeries: number;
  arrayBufferBytesPerSeries: number;
  roundMsMedian: number;
  roundMsP99: number;
  refitRounds: number;
  /** Blocks in main-thread CPU ms (see threadMs), and in wall ms. */
  blockClock: string;
  refitExcessMs: number;
  refitExcessWallMs: number;
  refitRequestMs: number;
  betweenRoundsMaxMs: number;
  betweenRoundsMaxWallMs: number;
  saves: number;
  saveSeconds: number;
  stateFileBytes: number;
  fitsDelivered: number;
}

const immediate = (): Promise<void> => new Promise((done) => setImmediate(done));

/**
 * CPU time of this process's main thread, in ms (Linux schedstat, nanoseconds): what a
 * stretch of work costs the event loop, however many other processes share the CPUs.
 * Falls back to wall time where there is no schedstat.
 */
const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
const hasSchedstat = existsSync(SCHEDSTAT);
function threadMs(): number {
  if (!hasSchedstat) return performance.now();
  return Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc (npm run bench:detect does)');
  collect();
  collect();
}

function memory(): { heap: number; buffers: number } {
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, buffers: usage.arrayBuffers };
}

async function runEngine(srcRoot: string, series: number, quick: boolean): Promise<EngineFigures> {
  const modules = await loadEngine(srcRoot);
  const events: { event: string; duration_seconds?: number }[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        events.push(JSON.parse(line) as { event: string; duration_seconds?: number });
      },
    },
  );
  const stateDir = mkdtempSync(join(tmpdir(), 'aegis-bench-detect-'));
  const stateFile = join(stateDir, 'state.json');
  // Defaults, but a state file saved every second during the block phase.
  const config = modules.parseConfig({ state_file: stateFile, state_save_interval: 1 });
  const inner = new modules.WorkerForestTrainer(logger);
  let requested = 0;
  let requestMs = 0;
  const trainer: TrainerLike = {
    get busy() {
      return inner.busy;
    },
    fit(...request) {
      const started = performance.now();
      inner.fit(...request);
      requestMs = Math.max(requestMs, performance.now() - started);
      requested += 1;
    },
    take: () => inner.take(),
    close: () => inner.close(),
  };
  const fleet = new Fleet(series);
  // The harness's own first snapshot, built before the baseline reading.
  fleet.snapshot(0);
  gc();
  const before = memory();
  const engine = new modules.AnomalyEngine({
    config,
    registry: new Registry(),
    logger,
    trainer,
  });
  let round = 1;
  const fillStarted = performance.now();
  for (; round <= FILL_ROUNDS; round += 1) {
    engine.observe(fleet.snapshot(round));
    // Let fits arrive from the worker, as between live rounds.
    if (round % 16 === 0) await immediate();
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  gc();
  const after = memory();
  const fitted = () => events.filter((e) => e.event === 'isolation_forest_fitted');

  // CPU: whole refit cycles, rounds back to back (yielding between them).
  const cpuRounds = quick ? 256 : 2 * REFIT_ROUNDS;
  const fitsBefore = fitted().length;
  let observeMs = 0;
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < cpuRounds; i += 1, round += 1) {
    const snapshot = fleet.snapshot(round);
    const started = performance.now();
    engine.observe(snapshot);
    observeMs += performance.now() - started;
    await immediate();
  }
  const cpu = process.cpuUsage(cpuStarted);
  const fitSecondsInCpuPhase = fitted()
    .slice(fitsBefore)
    .reduce((sum, e) => sum + (e.duration_seconds ?? 0), 0);

  // Blocks: saves every second (queued while one runs) and refits, between rounds.
  await engine.start();
  const rounds: number[] = [];
  const roundsWall: number[] = [];
  const refitRounds: number[] = [];
  const refitRoundsWall: number[] = [];
  let betweenMax = 0;
  let betweenMaxWall = 0;
  const deliveredBefore = fitted().length;
  const requestedBefore = requested;
  const saved = () => events.filter((e) => e.event === 'detector_state_saved').length;
  const minRounds = quick ? 2 * 64 : REFIT_ROUNDS + 16;
  let ended = threadMs();
  let endedWall = performance.now();
  const blockStarted = performance.now();
  for (let i = 0; ; i += 1, round += 1) {
    await immediate();
    const snapshot = fleet.snapshot(round);
    const before = requested;
    const startedWall = performance.now();
    const started = threadMs();
    betweenMax = Math.max(betweenMax, started - ended);
    betweenMaxWall = Math.max(betweenMaxWall, startedWall - endedWall);
    engine.observe(snapshot);
    ended = threadMs();
    endedWall = performance.now();
    if (requested > before) {
      refitRounds.push(ended - started);
      refitRoundsWall.push(endedWall - startedWall);
    } else {
      rounds.push(ended - started);
      roundsWall.push(endedWall - startedWall);
    }
    const enough =
      i >= minRounds &&
      saved() >= 1 &&
      requested > requestedBefore &&
      fitted().length > deliveredBefore;
    if (enough) break;
    // A baseline that never finishes a save would run forever: give up after 10 minutes.
    if (performance.now() - blockStarted > 600_000) break;
  }
  const saves = saved();
  const saveSeconds = (performance.now() - blockStarted) / 1000;
  await engine.stop();
  const stateFileBytes = existsSync(stateFile) ? statSync(stateFile).size : 0;
  rmSync(stateDir, { recursive: true, force: true });
  const roundMsMedian = median(rounds);
  const roundWallMedian = median(roundsWall);
  return {
    series,
    fillRounds: FILL_ROUNDS,
    fillSeconds,
    cpuRounds,
    cpuMicrosPerUpdate: (cpu.user + cpu.system) / (cpuRounds * series),
    observeMicrosPerUpdate: (observeMs * 1000) / (cpuRounds * series),
    fitSecondsInCpuPhase,
    heapBytesPerSeries: (after.heap + after.buffers - before.heap - before.buffers) / series,
    heapUsedBytesPerSeries: (after.heap - before.heap) / series,
    arrayBufferBytesPerSeries: (after.buffers - before.buffers) / series,
    roundMsMedian: roundWallMedian,
    roundMsP99: quantile(roundsWall, 0.99),
    refitRounds: refitRounds.length,
    blockClock: hasSchedstat ? 'main-thread CPU' : 'wall',
    refitExcessMs: Math.max(0, ...refitRounds.map((ms) => ms - roundMsMedian)),
    refitExcessWallMs: Math.max(0, ...refitRoundsWall.map((ms) => ms - roundWallMedian)),
    refitRequestMs: requestMs,
    betweenRoundsMaxMs: betweenMax,
    betweenRoundsMaxWallMs: betweenMaxWall,
    saves,
    saveSeconds,
    stateFileBytes,
    fitsDelivered: fitted().length,
  };
}

// ---------------------------------------------------------------- the baseline build

/** Builds BASELINE_COMMIT's src into a temporary directory; returns its compiled src root. */
function buildBaseline(): string {
  const dir = join(tmpdir(), `aegis-bench-baseline-${BASELINE_COMMIT}`);
  const built = join(dir, 'dist', 'detect', 'anomaly-engine.js');
  if (existsSync(built)) return join(dir, 'dist');
  rmSync(dir, { recursive: true, force: true });
  const staging = mkdtempSync(join(tmpdir(), 'aegis-bench-baseline-'));
  const archive = join(staging, 'src.tar');
  execFileSync(
    'git',
    [
      'archive',
      '-o',
      archive,
      BASELINE_COMMIT,
      'src',
      'types',
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
    ],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const work = join(staging, 'tree');
  execFileSync('mkdir', ['-p', work]);
  execFileSync('tar', ['-xf', archive, '-C', work]);
  symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(work, 'node_modules'));
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  execFileSync('mv', [work, dir]);
  rmSync(staging, { recursive: true, force: true });
  return join(dir, 'dist');
}

// ---------------------------------------------------------------- the parent

function runChild(engine: string, srcRoot: string, series: number, quick: boolean) {
  const args = ['--expose-gc', THIS_FILE, '--child', engine, '--src', srcRoot];
  args.push('--series', String(series));
  if (quick) args.push('--quick');
  return new Promise<EngineFigures>((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += String(chunk)));
    child.on('error', fail);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) done(JSON.parse(line) as EngineFigures);
      else fail(new Error(`the ${engine} engine's run failed (exit ${code}): ${out.trim()}`));
    });
  });
}

function verdict(value: number, target: number): string {
  return value <= target ? 'PASS' : 'FAIL';
}

function ratio(now: number, old: number | undefined): string {
  if (old === undefined || !(old > 0)) return '';
  return `${(now / old).toFixed(2)}×`;
}

function printFigures(current: EngineFigures, old: EngineFigures | undefined): void {
  const kib = (bytes: number) => bytes / 1024;
  const block = (f: EngineFigures) => Math.max(f.refitExcessMs, f.betweenRoundsMaxMs);
  const core = (f: EngineFigures) => (f.cpuMicrosPerUpdate * f.series) / 1e4;
  const rows: [string, (f: EngineFigures) => number, string, number | undefined][] = [
    [
      'CPU per series update (µs, all threads)',
      (f) => f.cpuMicrosPerUpdate,
      '≤',
      TARGETS.cpuMicros,
    ],
    ['  of which in observe() (µs, wall)', (f) => f.observeMicrosPerUpdate, '', undefined],
    [
      'heap per series (KiB, heap + array buffers)',
      (f) => kib(f.heapBytesPerSeries),
      '≤',
      TARGETS.heapKiB,
    ],
    ['  JS heap (KiB)', (f) => kib(f.heapUsedBytesPerSeries), '', undefined],
    ['  typed arrays (KiB)', (f) => kib(f.arrayBufferBytesPerSeries), '', undefined],
    [
      `longest event-loop block from refits or saves (ms, ${current.blockClock})`,
      block,
      '≤',
      TARGETS.blockMs,
    ],
    ['  refit round over the median round (ms)', (f) => f.refitExcessMs, '', undefined],
    ['  longest work between two rounds (ms)', (f) => f.betweenRoundsMaxMs, '', undefined],
    ['  the same two in wall time: refit round (ms)', (f) => f.refitExcessWallMs, '', undefined],
    ['  between two rounds (ms)', (f) => f.betweenRoundsMaxWallMs, '', undefined],
    [`${current.series} series at 1 s (% of a core)`, core, '≤', TARGETS.corePercent],
    ['round, median (ms, wall)', (f) => f.roundMsMedian, '', undefined],
    ['round, p99 (ms, wall)', (f) => f.roundMsP99, '', undefined],
    ['state file (MB)', (f) => f.stateFileBytes / 1e6, '', undefined],
    ['fill: rounds per second', (f) => f.fillRounds / f.fillSeconds, '', undefined],
  ];
  const head = [
    'figure'.padEnd(64),
    'new'.padStart(10),
    'target'.padStart(8),
    '',
    'old'.padStart(10),
    'new/old'.padStart(8),
  ];
  console.log(head.join('  '));
  for (const [label, get, sign, target] of rows) {
    const now = get(current);
    const was = old ? get(old) : undefined;
    console.log(
      [
        label.padEnd(64),
        now.toFixed(2).padStart(10),
        (target === undefined ? '' : `${sign} ${target}`).padStart(8),
        target === undefined ? '    ' : verdict(now, target),
        (was === undefined ? '' : was.toFixed(2)).padStart(10),
        ratio(now, was).padStart(8),
      ].join('  '),
    );
  }
  const describe = (name: string, f: EngineFigures) =>
    `${name}: ${f.series} series, ${f.fillRounds} rounds to fill (${f.fillSeconds.toFixed(0)} s), ` +
    `CPU over ${f.cpuRounds} rounds (forest fits ${f.fitSecondsInCpuPhase.toFixed(2)} s of it), ` +
    `block phase ${f.saveSeconds.toFixed(1)} s with ${f.saves} saves, ${f.refitRounds} refit requests ` +
    `(longest request ${f.refitRequestMs.toFixed(2)} ms), ${f.fitsDelivered} fits delivered`;
  console.log(
    'blocks: main-thread CPU from /proc schedstat (it advances at scheduler ticks, 4 ms here, ' +
      'so a figure may read up to a tick high); "between two rounds" sums every callback the ' +
      'loop ran between two rounds (a save slice, a fit arriving, a GC), an upper bound on one block',
  );
  console.log(describe('new', current));
  if (old) console.log(describe('old', old));
}

/** The forest's fit against ml-isolation-forest's, at the fleet's width. */
function forestReference(series: number, quick: boolean): void {
  const random = mulberry32(11);
  const columns = Array.from({ length: series }, (_, i) => `s${i}`);
  const rows = Array.from({ length: 2048 }, () => columns.map(() => random()));
  const options = { nEstimators: 100, subsampleSize: 256, contamination: 0.0001, seed: 1 };
  const time = (fn: () => void, repeats: number): number => {
    const runs: number[] = [];
    for (let i = 0; i < repeats; i += 1) {
      const started = performance.now();
      fn();
      runs.push(performance.now() - started);
    }
    return median(runs);
  };
  const ours = time(() => fitForest(rows, columns, options), quick ? 1 : 5);
  const reference = time(() => {
    new MlIsolationForest({ nEstimators: 100 }).train(rows);
  }, 1);
  console.log(
    `forest fit, 100 trees, ψ 256, 2048 × ${series} rows (in the worker, off the event loop): ` +
      `${ours.toFixed(1)} ms; ml-isolation-forest train: ${reference.toFixed(1)} ms (${(reference / ours).toFixed(1)}× slower)`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      series: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-baseline': { type: 'boolean', default: false },
      child: { type: 'string' },
      src: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  const series = Number(values.series ?? (quick ? 100 : 1000));
  if (!Number.isInteger(series) || series < 1) throw new Error('--series takes a positive integer');
  if (values.child !== undefined) {
    const figures = await runEngine(values.src as string, series, quick);
    console.log(JSON.stringify(figures));
    return;
  }
  const load = loadavg()[0] ?? 0;
  console.log(
    `bench:detect: ${series} series, ${quick ? 'quick' : 'full'} run, ${cpus().length} CPUs, ` +
      `load average ${load.toFixed(2)} at start${load > 0.5 ? ' (the machine is busy: CPU figures are inflated)' : ''}`,
  );
  const newSrc = join(REPO_ROOT, 'dist-bench', 'src');
  const current = await runChild('new', newSrc, series, quick);
  let old: EngineFigures | undefined;
  if (values['no-baseline'] === true) console.log('baseline skipped (--no-baseline)');
  else {
    try {
      const oldSrc = buildBaseline();
      old = await runChild('old', oldSrc, series, quick);
    } catch (error) {
      console.log(`baseline ${BASELINE_COMMIT} not measured: ${(error as Error).message}`);
    }
  }
  console.log('');
  printFigures(current, old);
  console.log(
    `load average ${(loadavg()[0] ?? 0).toFixed(2)} at the end; old = commit ${BASELINE_COMMIT} with its defaults`,
  );
  forestReference(series, quick);
  writeFileSync(
    join(REPO_ROOT, 'dist-bench', 'detect-figures.json'),
    JSON.stringify({ new: current, old }, null, 2),
  );
}

await main();
