// A journal's `started` record for tests of what reads it back (the journal) or acts on
// it after a crash (the orphans): an exec attempt on exec:t, run on this host.
import { HOST } from '../../../src/heal/dispatch/orphans.js';
import type { StartedRecord } from '../../../src/heal/state/journal.js';

/** A `started` record: attempt `a` of episode `e`, started now, with `fields` over it. */
export function startedRecord(fields: Partial<Omit<StartedRecord, 't'>> = {}): StartedRecord {
  return {
    t: 'started',
    id: 'a',
    time: Date.now(),
    episode: 'e',
    target: 'exec:t',
    rule: 'r',
    action: 'exec',
    attempt: 1,
    source: 'webhook',
    alertname: 'A',
    fingerprint: 'f',
    starts_at: '2025-01-01T00:00:00Z',
    replica: 'r1',
    host: HOST,
    timeout_ms: 1000,
    cooldown_key: 'cooldown:r:exec:t',
    cooldown_ms: 0,
    ...fields,
  };
}
