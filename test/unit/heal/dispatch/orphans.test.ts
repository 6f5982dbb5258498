// Process groups, real ones: an aborted program is killed with everything it started,
// and an interrupted attempt's group is waited for until its deadline, then killed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runFile } from '../../../../src/heal/actions/run-file.js';
import {
  groupAlive,
  processStartTime,
  settleOrphan,
} from '../../../../src/heal/dispatch/orphans.js';
import type { StartedRecord } from '../../../../src/heal/state/journal.js';
import { startedRecord } from '../started-record.js';

/** An attempt of this host with a `timeoutMs` deadline, and its group `pgid` if given. */
function record(pgid: number | undefined, timeoutMs: number): StartedRecord {
  return startedRecord({
    timeout_ms: timeoutMs,
    ...(pgid === undefined ? {} : { pgid, pg_start: processStartTime(pgid) as string }),
  });
}

/** Starts `sh -c` detached (its own group) with a grandchild; resolves to the group id. */
async function spawnGroup(script: string): Promise<{ pgid: number; done: Promise<unknown> }> {
  let pgid = 0;
  const controller = new AbortController();
  const done = runFile('/bin/sh', ['-c', script], controller.signal, undefined, {
    onSpawn: (id) => (pgid = id),
  }).catch((error: unknown) => error);
  await sleep(100);
  return { pgid, done };
}

describe('process groups', () => {
  it('kills the whole group, grandchildren included, when the signal aborts', async () => {
    const controller = new AbortController();
    let pgid = 0;
    const running = runFile(
      '/bin/sh',
      ['-c', 'sleep 30 & sleep 30; wait'],
      controller.signal,
      undefined,
      {
        onSpawn: (id) => (pgid = id),
      },
    );
    await sleep(100);
    expect(groupAlive({ pgid })).toBe(true);
    controller.abort(new Error('stop'));
    await expect(running).rejects.toThrow('stop');
    await sleep(50);
    expect(groupAlive({ pgid })).toBe(false);
  });

  it('waits for a group that ends before the attempt’s deadline: ended', async () => {
    const { pgid } = await spawnGroup('sleep 0.3');
    const started = Date.now();
    expect(await settleOrphan(record(pgid, 5_000), undefined, 20)).toBe('ended');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('kills a group still alive at the deadline: killed', async () => {
    const { pgid, done } = await spawnGroup('sleep 30 & sleep 30; wait');
    expect(await settleOrphan(record(pgid, 400), undefined, 20)).toBe('killed');
    expect(groupAlive({ pgid })).toBe(false);
    await done;
  });

  it('says none for an attempt without a group, and does not wait', async () => {
    expect(await settleOrphan(record(undefined, 60_000))).toBe('none');
  });

  it('does not take a reused process id for the group', async () => {
    const { pgid, done } = await spawnGroup('sleep 0.5');
    expect(groupAlive({ pgid, pg_start: 'not-its-start-time' })).toBe(false);
    expect(groupAlive({ pgid, pg_start: processStartTime(pgid) as string })).toBe(true);
    await done;
  });

  it('finds the group by its marker when the journal had no time to record it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aegis-marker-'));
    try {
      const marker = join(dir, 'a.pgid');
      let pgid = 0;
      const controller = new AbortController();
      const done = runFile('/bin/sleep', ['0.4'], controller.signal, undefined, {
        marker,
        onSpawn: (id) => (pgid = id),
      });
      await sleep(100);
      // Written by the program's own process before it became /bin/sleep.
      expect(Number(await readFile(marker, 'utf8'))).toBe(pgid);
      expect(await settleOrphan(record(undefined, 5_000), marker, 20)).toBe('ended');
      await done;
      // No marker: the program never started.
      expect(await settleOrphan(record(undefined, 5_000), join(dir, 'b.pgid'))).toBe('none');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
