/**
 * The fleet's alert episodes, planned up front from a seed: each host's container fails
 * now and then for a while, a few hosts flap, and twice a rack of hosts fails at once.
 * An episode is one firing period of one host's alert, from its start to its resolution.
 */
import { mulberry32 } from '../../src/detect/prng.js';

export type EpisodeKind = 'failure' | 'flap' | 'rack';

export interface Episode {
  host: number;
  kind: EpisodeKind;
  /** Offsets from the start of the run, in ms. */
  startMs: number;
  endMs: number;
}

export interface FleetPlan {
  hosts: number;
  durationMs: number;
  episodes: Episode[];
}

/** Hosts that flap: fire for FLAP_MS, resolve for FLAP_MS, over and over. */
const FLAPPING_SHARE = 0.01;
const FLAP_MS = 4_000;
/** A rack: this many neighbouring hosts fail together, twice a run. */
const RACK_HOSTS = 40;
const RACK_MS = 30_000;
/**
 * At least this long between a host's episodes: more than the shipped route's
 * group_interval (1m, scaled to 4 s) and an evaluation. Alertmanager sends a group's
 * resolution only at its next group_interval; an alert that fires again before it is, to
 * every receiver, still the same firing alert, and no notification says otherwise.
 */
const GAP_MS = 6_000;

/**
 * `failuresPerHostHour` ordinary failures a host has an hour (Poisson), each lasting
 * 15–45 s; no episode of a host overlaps the next, and every one ends within the run.
 */
export function planFleet(options: {
  hosts: number;
  durationMs: number;
  failuresPerHostHour: number;
  seed: number;
}): FleetPlan {
  const { hosts, durationMs } = options;
  const random = mulberry32(options.seed);
  const episodes: Episode[] = [];
  const byHost = new Map<number, Episode[]>();
  // A gap of GAP_MS between a host's episodes (see GAP_MS).
  const add = (host: number, kind: EpisodeKind, startMs: number, lengthMs: number): void => {
    const endMs = startMs + lengthMs;
    const taken = byHost.get(host) ?? [];
    const clash = taken.some((e) => startMs < e.endMs + GAP_MS && e.startMs < endMs + GAP_MS);
    if (clash || endMs > durationMs) return;
    const episode = { host, kind, startMs, endMs };
    taken.push(episode);
    byHost.set(host, taken);
    episodes.push(episode);
  };
  for (const rackAt of [durationMs / 3, (2 * durationMs) / 3]) {
    const first = Math.floor(random() * (hosts - RACK_HOSTS));
    for (let h = first; h < first + RACK_HOSTS; h += 1) add(h, 'rack', Math.round(rackAt), RACK_MS);
  }
  const flapping = Math.max(1, Math.round(hosts * FLAPPING_SHARE));
  for (let i = 0; i < flapping; i += 1) {
    const host = Math.floor(random() * hosts);
    for (let t = 5_000 + Math.round(random() * FLAP_MS); t < durationMs; t += 2 * FLAP_MS + 2_000)
      add(host, 'flap', t, FLAP_MS);
  }
  const ratePerMs = options.failuresPerHostHour / 3_600_000;
  for (let host = 0; host < hosts; host += 1) {
    let t = 0;
    for (;;) {
      t += -Math.log(1 - random()) / ratePerMs;
      if (t >= durationMs) break;
      add(host, 'failure', Math.round(t), 15_000 + Math.round(random() * 30_000));
    }
  }
  episodes.sort((a, b) => a.startMs - b.startMs || a.host - b.host);
  return { hosts, durationMs, episodes };
}
