// kill -9 of the real agent in the middle of its actions, with each state store, then a
// restart and Alertmanager's redelivery: every episode is healed, none twice, and no two
// actions on one target overlap, the orphaned ones included. The action is a script that
// writes its start and end (pid, milliseconds) to a file.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RecoveryConfigInput } from '../../../src/config/recovery.js';
import { notification } from './helpers.js';
import {
  agentCli,
  alive,
  type CrashableAgent,
  crashableAgent,
  overlaps,
  type PersistentRedis,
  readRuns,
  startPersistentRedis,
  writeRecorder,
} from './crash-support.js';

const TARGETS = ['ta', 'tb', 'tc'];
const PER_TARGET = 4;
const SECONDS = '2.5';

function policy(dir: string, timeout = '20s'): string {
  return `
- name: record
  matchers: ['alertname="Record"']
  action: exec
  target: '{{ $labels.target }}'
  argv: ['${join(dir, 'record.sh')}', '${join(dir, 'actions.log')}', '{{ $labels.episode }}', '{{ $labels.seconds }}']
  cooldown: 0s
  max_attempts: 1
  timeout: ${timeout}
`;
}

function episodes(seconds = SECONDS, prefix = '') {
  return TARGETS.flatMap((target, t) =>
    Array.from({ length: PER_TARGET }, (_, i) => ({
      labels: { alertname: 'Record', target, episode: `${target}-${prefix}${i}`, seconds },
      fingerprint: `${prefix}c0ffee${t}${i}`.padStart(16, '0'),
    })),
  );
}

/**
 * An agent (not started) whose policy runs record.sh, which is on its allow-list by its
 * real path: known only once the agent's folder exists, so written in afterwards.
 */
async function recordingAgent(
  recovery: RecoveryConfigInput,
  timeout?: string,
): Promise<CrashableAgent> {
  const placeholder = '/tmp/placeholder';
  const agent = await crashableAgent({ ...recovery, allowed_commands: [placeholder] }, (dir) =>
    policy(dir, timeout),
  );
  try {
    const script = await writeRecorder(agent.dir);
    const config = join(agent.dir, 'sentinel.yml');
    await writeFile(config, (await readFile(config, 'utf8')).replace(placeholder, script));
    return agent;
  } catch (error) {
    await agent.cleanup();
    throw error;
  }
}

beforeAll(async () => {
  await agentCli();
}, 300_000);

let redis: PersistentRedis | undefined;
afterAll(async () => {
  await redis?.stop();
});

describe.each(['memory', 'redis'] as const)('kill -9 mid-action, %s store', (store) => {
  let agent: CrashableAgent;
  beforeAll(async () => {
    if (store === 'redis') redis ??= await startPersistentRedis();
    agent = await recordingAgent({
      max_concurrent_actions: 3,
      backoff_initial: 0,
      ...(store === 'redis'
        ? { redis_url: redis?.url, redis_key_prefix: `crash-${Date.now()}:` }
        : {}),
    });
    await agent.start();
  });
  afterAll(() => agent?.cleanup());

  it('heals every episode once after a restart and redelivery, never two actions on a target at once', async () => {
    const log = join(agent.dir, 'actions.log');
    const body = notification(episodes());
    expect((await agent.post(body)).status).toBe(202);
    // Three run at once (one per target); kill the agent while the second wave runs.
    await vi.waitFor(async () => expect((await readRuns(log)).length).toBeGreaterThanOrEqual(4), {
      timeout: 30_000,
      interval: 50,
    });
    await agent.kill9();
    const killedAt = Date.now();
    const orphans = (await readRuns(log)).filter((run) => run.end === undefined);
    expect(orphans.length).toBeGreaterThan(0);
    expect(orphans.every((run) => alive(run.pid))).toBe(true);

    await agent.start();
    // Alertmanager delivers again (the agent did not answer, or repeat_interval passed).
    expect((await agent.post(body)).status).toBe(202);
    const total = TARGETS.length * PER_TARGET;
    await vi.waitFor(
      async () => {
        const runs = await readRuns(log);
        expect(runs.filter((run) => run.end !== undefined)).toHaveLength(total);
      },
      { timeout: 90_000, interval: 200 },
    );
    // Everything settled: one more delivery finds every episode done.
    await sleep(500);
    const again = await agent.post(body);
    const decisions = (again.body.decisions as { decision: string; reason?: string }[]).map(
      (d) => `${d.decision}:${d.reason}`,
    );
    expect(decisions).toEqual(Array(total).fill('skipped:duplicate'));

    const runs = await readRuns(log);
    const perEpisode = new Map<string, number>();
    for (const run of runs) perEpisode.set(run.episode, (perEpisode.get(run.episode) ?? 0) + 1);
    const duplicates = [...perEpisode.values()].filter((n) => n > 1).length;
    const lost = total - perEpisode.size;
    const overlapping = overlaps(runs, () => killedAt);
    console.log(
      `[crash ${store}] episodes ${total}, actions ${runs.length}, orphans at kill ${orphans.length}, ` +
        `duplicates ${duplicates}, lost ${lost}, overlaps ${overlapping.length}`,
    );
    console.log(
      `[crash ${store}] attempts closed as interrupted at restart: ` +
        JSON.stringify(
          (await agent.audit()).filter((e) => e.decision === 'interrupted').map((e) => e.orphan),
        ),
    );
    expect({ duplicates, lost, overlaps: overlapping }).toEqual({
      duplicates: 0,
      lost: 0,
      overlaps: [],
    });
    expect(runs).toHaveLength(total);

    // The restarted agent closed each attempt the crash interrupted: those whose program
    // was still running (waited for: it ran to its end, so not re-run), and any it had
    // journaled but not yet started or not yet seen end (ended, or none: re-run once).
    const interrupted = (await agent.audit()).filter((e) => e.decision === 'interrupted');
    expect(interrupted.length).toBeGreaterThanOrEqual(orphans.length);
    for (const entry of interrupted) {
      expect(entry.reason).toBe('crashed');
      expect(['ended', 'none']).toContain(entry.orphan);
      expect(entry.rerun).toBe(entry.orphan === 'none');
    }
    const ended = interrupted.filter((e) => e.orphan === 'ended').map((e) => e.target);
    for (const run of orphans) expect(ended).toContain(`exec:${run.episode.split('-')[0]}`);
  });
});

describe('an orphan that outlives its attempt', () => {
  let agent: CrashableAgent;
  afterAll(() => agent?.cleanup());

  it('is killed at its deadline, recorded, and only then is its episode run again, once', async () => {
    agent = await recordingAgent({}, '3s');
    await agent.start();
    const log = join(agent.dir, 'actions.log');
    const body = notification([
      { labels: { alertname: 'Record', target: 'hang', episode: 'hang-0', seconds: '60' } },
    ]);
    expect((await agent.post(body)).status).toBe(202);
    await vi.waitFor(async () => expect(await readRuns(log)).toHaveLength(1), { interval: 50 });
    await agent.kill9();
    const [orphan] = await readRuns(log);
    expect(alive(orphan?.pid as number)).toBe(true);

    await agent.start();
    expect((await agent.post(body)).body.decisions).toEqual([
      expect.objectContaining({ decision: 'queued' }),
    ]);
    await vi.waitFor(
      async () =>
        expect((await agent.audit()).filter((e) => e.decision === 'failed')).toHaveLength(1),
      { timeout: 30_000, interval: 100 },
    );
    const audit = await agent.audit();
    const closed = audit.find((e) => e.decision === 'interrupted');
    expect(closed).toMatchObject({ reason: 'crashed', orphan: 'killed', rerun: true, attempt: 1 });
    const runs = await readRuns(log);
    expect(runs).toHaveLength(2);
    const [first, rerun] = runs as [(typeof runs)[0], (typeof runs)[0]];
    expect(alive(first.pid)).toBe(false);
    // Not touched again before the orphan's group was killed.
    expect(rerun.start).toBeGreaterThanOrEqual(Date.parse(closed?.time as string));
    // The re-run timed out in its turn: its group was killed too, and it is not tried a third time.
    expect(audit.filter((e) => e.decision === 'failed').at(-1)).toMatchObject({
      reason: 'timeout',
    });
    await vi.waitFor(() => expect(alive(rerun.pid)).toBe(false));
    expect((await agent.post(body)).body.decisions).toEqual([
      expect.objectContaining({ decision: 'skipped', reason: 'duplicate' }),
    ]);
  });
});
