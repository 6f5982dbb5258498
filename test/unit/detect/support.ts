/** Seeded data and snapshot builders shared by the detector tests. */
import type { Snapshot } from '../../../src/collect/snapshot.js';
import { mulberry32 } from '../../../src/detect/prng.js';

/** Probe latencies: 0.1 s ± 0.01 uniform, then 1 s from `stepAt` on (a target turning slow). */
export function latencies(count: number, stepAt: number, seed = 21): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => (i >= stepAt ? 1 : 0.1) + 0.02 * random() - 0.01);
}

/** A snapshot with one probe result, one round per second from t=1_700_000_000 s. */
export function probeSnapshot(round: number, duration: number): Snapshot {
  return {
    timestamp_ms: (1_700_000_000 + round) * 1000,
    probes: [
      {
        target: 'api',
        url: 'http://api',
        success: true,
        duration_seconds: duration,
        status_code: 200,
      },
    ],
    collectors: [],
  };
}
