// The journal on a real file: what a restart reads back, what compaction keeps, a torn line.
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, type StartedRecord } from '../../../../src/heal/state/journal.js';
import { startTestHealer } from '../helpers.js';
import { startedRecord } from '../started-record.js';

const DAY = 86_400_000;
let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-journal-'));
  file = join(dir, 'journal.jsonl');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const started = (id: string, episode: string, time: number): StartedRecord =>
  startedRecord({ id, episode, time });

describe('Journal', () => {
  it('gives back open attempts with their process group, finished episodes, its name and epoch', async () => {
    const now = Date.now();
    const first = new Journal(file);
    const empty = await first.load(now, DAY);
    expect(empty).toMatchObject({ open: [], attempts: [], done: new Map() });
    await first.append(started('a1', 'episode:1', now));
    await first.append({
      t: 'finished',
      id: 'a1',
      time: now + 1,
      episode: 'episode:1',
      outcome: 'succeeded',
      final: true,
    });
    await first.append(started('a2', 'episode:2', now + 2));
    await first.append({ t: 'spawned', id: 'a2', pgid: 4242, pg_start: '99' });
    await first.append({ t: 'epoch', time: now, value: 'e-1' });
    await first.close();

    const second = new Journal(file);
    const replay = await second.load(now + 10, DAY);
    await second.close();
    expect(replay.replica).toBe(empty.replica);
    expect(replay.epoch).toBe('e-1');
    expect(replay.done).toEqual(new Map([['episode:1', now + 1]]));
    expect(replay.open).toEqual([
      { ...started('a2', 'episode:2', now + 2), pgid: 4242, pg_start: '99' },
    ]);
    expect(replay.attempts.map((a) => [a.record.id, a.finished?.outcome])).toEqual([
      ['a1', 'succeeded'],
      ['a2', undefined],
    ]);
  });

  it('keeps only the last episode TTL at start (and open attempts whatever their age), skipping a torn line', async () => {
    const now = Date.now();
    const journal = new Journal(file);
    await journal.load(now - 3 * DAY, DAY);
    await journal.append(started('old', 'episode:old', now - 2 * DAY));
    await journal.append({
      t: 'finished',
      id: 'old',
      time: now - 2 * DAY,
      episode: 'episode:old',
      outcome: 'failed',
      final: true,
    });
    await journal.append(started('stuck', 'episode:stuck', now - 2 * DAY));
    await journal.close();
    await appendFile(file, '{"t":"started","id":"torn"');

    const replay = await new Journal(file).load(now, DAY);
    expect(replay.open.map((r) => r.id)).toEqual(['stuck']);
    expect(replay.done.size).toBe(0);
    const kept = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).t);
    expect(kept).toEqual(['replica', 'started']);
  });
});

describe('the healer with a journal it cannot use', () => {
  it('refuses to start, naming recovery.journal_file', async () => {
    await writeFile(join(dir, 'a-file'), '');
    const journalFile = join(dir, 'a-file', 'journal.jsonl');
    await expect(
      startTestHealer({ auth_disabled: true, journal_file: journalFile }),
    ).rejects.toThrow(
      `recovery: invalid configuration:\n  recovery.journal_file: cannot use ${journalFile}: a part of ${join(dir, 'a-file')} is not a directory`,
    );
  });
});
