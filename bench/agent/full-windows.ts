/**
 * A detector state file whose windows are all full, for measuring the agent's idle
 * footprint as it is day after day: at the default 5 s interval the windows take hours
 * to fill (1,000 shape blocks of 6 samples: 8.3 h), and each series' memory grows until
 * they are. The agent's own engine, in this process and on the agent's configuration,
 * observes 6,000 rounds 5 s apart that end now: this host's own snapshot, its gauges
 * wandering and its counters rising round by round. It saves its state to the
 * configuration's `detection.state_file`, which the agent restores at start.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { CollectionLoop } from '../../src/collect/collection-loop.js';
import { HostCollector } from '../../src/collect/host/host-collector.js';
import type { HostSnapshot, Snapshot } from '../../src/collect/snapshot.js';
import { validateConfig } from '../../src/config/validate.js';
import type { SentinelConfigInput } from '../../src/config/schema.js';
import { AnomalyEngine } from '../../src/detect/anomaly-engine.js';
import { mulberry32 } from '../../src/detect/prng.js';
import { silentLogger } from '../../src/logger.js';

/** Rounds until every window is full, as bench:detect counts them. */
export const FILL_ROUNDS = 6_000;

/** The host snapshot `round` rounds after `first`: counters rise, gauges wander by a few per cent. */
function hostAt(
  first: HostSnapshot,
  round: number,
  seconds: number,
  random: () => number,
): HostSnapshot {
  const wander = (value: number) => value * (1 + 0.05 * (random() - 0.5));
  const rise = (value: number, perSecond: number) =>
    value + perSecond * seconds * round * (0.8 + 0.4 * random());
  return {
    ...first,
    cpus: first.cpus.map(({ cpu, seconds: times }) => ({
      cpu,
      seconds: {
        ...times,
        user: rise(times.user, 0.02),
        system: rise(times.system, 0.01),
        idle: rise(times.idle, 0.96),
        iowait: rise(times.iowait, 0.005),
      },
    })),
    memory: { ...first.memory, available_bytes: wander(first.memory.available_bytes) },
    load: {
      load1: wander(first.load.load1),
      load5: wander(first.load.load5),
      load15: wander(first.load.load15),
    },
    filesystems: first.filesystems?.map((fs) => ({
      ...fs,
      avail_bytes: wander(fs.avail_bytes),
      free_bytes: wander(fs.free_bytes),
    })),
    disks: first.disks?.map((disk) => ({
      ...disk,
      read_bytes: rise(disk.read_bytes, 20_000),
      written_bytes: rise(disk.written_bytes, 80_000),
      reads_completed: rise(disk.reads_completed, 2),
      writes_completed: rise(disk.writes_completed, 8),
      io_time_seconds: rise(disk.io_time_seconds, 0.01),
    })),
    network: first.network?.map((device) => ({
      ...device,
      receive_bytes: rise(device.receive_bytes, 5_000),
      transmit_bytes: rise(device.transmit_bytes, 3_000),
      receive_packets: rise(device.receive_packets, 20),
      transmit_packets: rise(device.transmit_packets, 15),
    })),
  };
}

/**
 * Writes the state of an engine whose windows are full to `detection.state_file` of the
 * agent configuration `input`, where the agent started on `input` will restore it.
 */
export async function writeFullWindowsState(input: SentinelConfigInput): Promise<void> {
  const config = validateConfig(input);
  if (config.detection.state_file === undefined)
    throw new Error('full windows need detection.state_file in the configuration');
  const logger = silentLogger();
  const seconds = config.monitoring.collection_interval;
  const loop = new CollectionLoop({
    collectors: { host: new HostCollector({ config: config.monitoring, paths: config.path }) },
    intervalSeconds: seconds,
    logger,
  });
  const first: Snapshot = await loop.collectOnce();
  if (!first.host) throw new Error('the host collector gave no snapshot to fill the windows with');
  const engine = new AnomalyEngine({ config: config.detection, registry: new Registry(), logger });
  await engine.start();
  const random = mulberry32(7);
  const start = Date.now() - FILL_ROUNDS * seconds * 1000;
  for (let round = 0; round < FILL_ROUNDS; round += 1) {
    engine.observe({
      ...first,
      timestamp_ms: start + round * seconds * 1000,
      host: hostAt(first.host, round, seconds, random),
    });
    // Let the forest's fits arrive from its worker, as between live rounds.
    if (round % 16 === 0) await nextTurn();
  }
  await engine.stop();
}
