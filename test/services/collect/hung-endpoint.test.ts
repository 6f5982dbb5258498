/**
 * One hung endpoint among 100, at a 1 s interval with a 5 s probe timeout: the host
 * figures stay at most 2 s old and /healthz answers 200 all along, the hung target shows
 * alone in its own series at its timeout, and the 99 others answer in milliseconds.
 * The endpoints live in a process of their own, on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AegisSentinel } from '../../../src/index.js';
import { silentLogger } from '../../../src/logger.js';
import { startEndpointFleet, type EndpointFleet } from '../../support/endpoint-fleet.js';
import { parseExposition, sample, sampleValue } from '../../support/exposition.js';

let fleet: EndpointFleet;
let sentinel: AegisSentinel;
let base: string;

beforeAll(async () => {
  fleet = await startEndpointFleet();
  sentinel = new AegisSentinel(
    {
      web: { listen_address: '127.0.0.1:0' },
      monitoring: {
        collection_interval: 1,
        probe_timeout: 5,
        enable_container_monitoring: false,
        api_endpoints: [
          ...fleet.urls(99).map((url, index) => ({ url, name: `fast-${index}` })),
          { url: fleet.hungUrl, name: 'hung' },
        ],
      },
      detection: { enabled: false },
    },
    { logger: silentLogger() },
  );
  await sentinel.start();
  base = `http://127.0.0.1:${sentinel.address()!.port}`;
});

afterAll(async () => {
  await sentinel?.stop();
  await fleet?.stop();
});

describe('one hung endpoint among 100', () => {
  it('never ages the host figures nor fails /healthz, and shows alone in its own series', async () => {
    const ages: number[] = [];
    const health: number[] = [];
    // cpu0's seconds in all modes together: they advance 1 s per second, busy or idle.
    const cpuSeconds = new Set<number>();
    let exposition = '';
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      health.push((await fetch(`${base}/healthz`)).status);
      exposition = await (await fetch(`${base}/metrics`)).text();
      const collected = sample(exposition, 'aegis_last_collection_timestamp_seconds')!;
      ages.push(Date.now() / 1000 - collected);
      cpuSeconds.add(
        parseExposition(exposition)
          .filter(
            ({ name, labels }) => name === 'aegis_node_cpu_seconds_total' && labels.cpu === '0',
          )
          .reduce((sum, { value }) => sum + value, 0),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(health.filter((status) => status !== 200)).toEqual([]);
    expect(Math.max(...ages)).toBeLessThanOrEqual(2);
    // The host figures are read anew every tick, not held.
    expect(cpuSeconds.size).toBeGreaterThanOrEqual(6);
    expect(sample(exposition, 'aegis_collector_success{collector="host"}')).toBe(1);

    const samples = parseExposition(exposition);
    expect(sampleValue(samples, 'aegis_probe_success', { target: 'hung' })).toBe(0);
    expect(sampleValue(samples, 'aegis_probe_http_status_code', { target: 'hung' })).toBe(0);
    expect(
      sampleValue(samples, 'aegis_probe_duration_seconds', { target: 'hung' }),
    ).toBeGreaterThanOrEqual(5);
    const fast = samples.filter(
      ({ name, labels }) => name === 'aegis_probe_duration_seconds' && labels.target !== 'hung',
    );
    expect(fast).toHaveLength(99);
    // Far under the hung one's 5 s timeout: none waited for it (on a loaded CI machine a
    // fast probe can still take a few hundred ms).
    expect(fast.filter(({ value }) => value >= 2)).toEqual([]);
    const succeeded = samples.filter(
      ({ name, labels, value }) =>
        name === 'aegis_probe_success' && labels.target !== 'hung' && value === 1,
    );
    expect(succeeded).toHaveLength(99);
  });
});
