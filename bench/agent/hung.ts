/**
 * The hung-endpoint case: the agent at a 1 s interval probing 99 fast endpoints and one
 * that never answers (5 s timeout), polled every 250 ms: how old its host figures are
 * (now − aegis_last_collection_timestamp_seconds), what /healthz answers, and what the
 * hung and the fast targets show. blackbox_exporter, asked for the same two kinds of
 * target at once, is the reference: only the hung one is slow.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseExposition, sample } from '../../test/support/exposition.js';
import { median } from '../support/stats.js';
import type { Exporter } from './exporters.js';

export interface HungFigures {
  polls: number;
  healthzNot200: number;
  maxHostAgeSeconds: number;
  hungSuccess: number | undefined;
  hungDurationSeconds: number | undefined;
  fastMedianSeconds: number;
  blackboxHungSeconds: number;
  blackboxFastSeconds: number;
}

export async function watchHung(
  agent: Exporter,
  blackbox: Exporter,
  fastUrl: string,
  hungUrl: string,
  seconds: number,
): Promise<HungFigures> {
  const probe = async (target: string) => {
    const started = performance.now();
    const body = await (
      await fetch(`${blackbox.base}/probe?module=http_2xx&target=${encodeURIComponent(target)}`)
    ).text();
    return sample(body, 'probe_duration_seconds') ?? (performance.now() - started) / 1000;
  };
  const reference = Promise.all([probe(hungUrl), probe(fastUrl)]);

  let polls = 0;
  let healthzNot200 = 0;
  let maxHostAgeSeconds = 0;
  let exposition = '';
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    polls += 1;
    if ((await fetch(`${agent.base}/healthz`)).status !== 200) healthzNot200 += 1;
    exposition = await (await fetch(`${agent.base}/metrics`)).text();
    const collected = sample(exposition, 'aegis_last_collection_timestamp_seconds') ?? 0;
    maxHostAgeSeconds = Math.max(maxHostAgeSeconds, Date.now() / 1000 - collected);
    await sleep(250);
  }
  const fast = parseExposition(exposition)
    .filter(
      ({ name, labels }) => name === 'aegis_probe_duration_seconds' && labels.target !== 'hung',
    )
    .map(({ value }) => value);
  const [blackboxHungSeconds, blackboxFastSeconds] = await reference;
  return {
    polls,
    healthzNot200,
    maxHostAgeSeconds,
    hungSuccess: sample(exposition, 'aegis_probe_success{target="hung"}'),
    hungDurationSeconds: sample(exposition, 'aegis_probe_duration_seconds{target="hung"}'),
    fastMedianSeconds: median(fast),
    blackboxHungSeconds,
    blackboxFastSeconds,
  };
}
