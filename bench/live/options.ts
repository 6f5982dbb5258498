/** bench:live's flags: `--name value` or `--name=value`; durations in Prometheus syntax. */
import { parseDurationSeconds } from '../../src/config/duration.js';

export interface LiveOptions {
  warmupSeconds: number;
  watchSeconds: number;
  intervalSeconds: number;
  readyTimeoutSeconds: number;
  faultSeconds: number;
  recoverySeconds: number;
  cronPeriodSeconds: number;
  cronCpuSeconds: number;
  cronWriteMib: number;
  requestsPerSecond: number;
  latencyMs: number;
  leakMibPerSecond: number;
  leakBoundMib: number;
  diskChunkMib: number;
  diskMaxMib: number;
  diskMibPerSecond: number;
  /** Names of the faults to inject; all when empty. */
  faults: string[];
  agentArgs: string[];
}

export const USAGE = `usage: npm run bench:live -- [flags]

  --warmup 5m          after the detector is ready, before the watched period
  --watch 15m          the ordinary period in which every onset is a false one
  --interval 1s        the agent's collection interval
  --ready-timeout 10m  how long the detector may take to become ready
  --fault 20s          how long each fault lasts (its detection window)
  --recovery 30s       at least this long between a fault's end and the next injection
  --cron-period 60s    the cron-like job's period
  --cron-cpu 3s        CPU seconds each cron job burns (then it writes and fsyncs a file)
  --cron-write-mib 8   MiB each cron job writes
  --rps 5              requests per second to the steady service
  --latency-ms 300     the service's latency during the endpoint-latency fault
  --leak-rate 50       MiB/s the memory leak allocates and touches
  --leak-bound 1024    MiB the memory leak stops growing at
  --disk-chunk 8       MiB written and fsynced per step of the disk burst
  --disk-max 1024      MiB the disk burst's file wraps at
  --disk-rate 200      MiB/s the disk burst writes at most (0: no limit)
  --faults a,b         only these faults (cpu-hog, memory-leak, disk-write-burst,
                       endpoint-latency, container-crash-loop)
  --agent-arg FLAG     an extra flag for the agent, e.g. --agent-arg=--detection.refractory-samples=300
  --help
`;

type Kind = 'duration' | 'number';
const FLAGS: Record<string, [keyof LiveOptions, Kind, number]> = {
  warmup: ['warmupSeconds', 'duration', 300],
  watch: ['watchSeconds', 'duration', 900],
  interval: ['intervalSeconds', 'duration', 1],
  'ready-timeout': ['readyTimeoutSeconds', 'duration', 600],
  fault: ['faultSeconds', 'duration', 20],
  recovery: ['recoverySeconds', 'duration', 30],
  'cron-period': ['cronPeriodSeconds', 'duration', 60],
  'cron-cpu': ['cronCpuSeconds', 'duration', 3],
  'cron-write-mib': ['cronWriteMib', 'number', 8],
  rps: ['requestsPerSecond', 'number', 5],
  'latency-ms': ['latencyMs', 'number', 300],
  'leak-rate': ['leakMibPerSecond', 'number', 50],
  'leak-bound': ['leakBoundMib', 'number', 1024],
  'disk-chunk': ['diskChunkMib', 'number', 8],
  'disk-max': ['diskMaxMib', 'number', 1024],
  'disk-rate': ['diskMibPerSecond', 'number', 200],
};

export const FAULT_NAMES = [
  'cpu-hog',
  'memory-leak',
  'disk-write-burst',
  'endpoint-latency',
  'container-crash-loop',
];

/** Parses argv; throws with a message naming the bad flag. Undefined for --help. */
export function parseOptions(argv: string[]): LiveOptions | undefined {
  const options = { faults: [] as string[], agentArgs: [] as string[] } as unknown as LiveOptions;
  for (const [key, , fallback] of Object.values(FLAGS))
    (options as unknown as Record<string, number>)[key] = fallback;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return undefined;
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!match) throw new Error(`unexpected argument ${JSON.stringify(arg)}`);
    const name = match[1] as string;
    let value = match[2];
    if (value === undefined) {
      value = argv[i + 1];
      i += 1;
      if (value === undefined) throw new Error(`--${name} needs a value`);
    }
    if (name === 'faults') {
      options.faults = value.split(',').filter((f) => f !== '');
      const unknown = options.faults.filter((f) => !FAULT_NAMES.includes(f));
      if (unknown.length > 0) throw new Error(`--faults: unknown ${unknown.join(', ')}`);
      continue;
    }
    if (name === 'agent-arg') {
      options.agentArgs.push(value);
      continue;
    }
    const flag = FLAGS[name];
    if (!flag) throw new Error(`unknown flag --${name}`);
    const [key, kind] = flag;
    const parsed = kind === 'duration' ? parseDurationSeconds(value) : Number(value);
    if (parsed === undefined || !Number.isFinite(parsed) || parsed < 0)
      throw new Error(`--${name}: expected a ${kind}, got ${JSON.stringify(value)}`);
    (options as unknown as Record<string, number>)[key] = parsed;
  }
  if (options.intervalSeconds <= 0) throw new Error('--interval must be positive');
  if (options.requestsPerSecond <= 0) throw new Error('--rps must be positive');
  if (options.cronPeriodSeconds <= 0) throw new Error('--cron-period must be positive');
  return options;
}
