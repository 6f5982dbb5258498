/**
 * What an interrupted attempt may have left running: its process group. Before its
 * target is touched again, the group is waited for until the attempt's own timeout
 * would have ended it, then killed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { killProcessGroup } from '../actions/run-file.js';
import type { StartedRecord } from '../state/journal.js';

export const HOST = hostname();

/**
 * What became of an interrupted attempt's process group: `none` (it started none: the
 * action ran inside the healer, or had not started its program), `ended` (it exited by
 * itself, before or while it was waited for: the action ran to its end), `killed` (still
 * alive at the attempt's deadline, killed), `elsewhere` (it ran on another host: waited
 * until its deadline, as it cannot be seen from here).
 */
export type OrphanOutcome = 'none' | 'ended' | 'killed' | 'elsewhere';

/**
 * The fields of /proc/PID/stat from field 3 (state) on, or undefined where there is no
 * /proc or no such process. The command name (field 2) is in parentheses and may hold
 * spaces: the fields are counted after it.
 */
function statFieldsAfterName(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (start time in clock ticks), or undefined where there is no /proc or no such process. */
export function processStartTime(pid: number): string | undefined {
  return statFieldsAfterName(pid)?.[19];
}

/** The group id in a marker file: undefined when there is none, `unreadable` when it was cut short. */
function readMarker(file: string): number | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const pgid = Number(text.trim());
  return Number.isInteger(pgid) && pgid > 1 ? pgid : 'unreadable';
}

/** Whether the process group of `record` is still alive (and is the same group, not a reused id). */
export function groupAlive(record: Pick<StartedRecord, 'pgid' | 'pg_start'>): boolean {
  const { pgid } = record;
  if (pgid === undefined) return false;
  const leaderStart = processStartTime(pgid);
  // The leader is alive under another identity: the id was reused, the group is gone.
  if (leaderStart !== undefined && record.pg_start !== undefined && leaderStart !== record.pg_start)
    return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // Signals reach zombies too: alive means a member that is not one.
  return livingMember(pgid);
}

/** Whether a process of group `pgid` is running (not a zombie), by /proc; true where there is no /proc. */
function livingMember(pgid: number): boolean {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true;
  }
  for (const pid of pids) {
    // State (field 3), ppid (4), pgrp (5); undefined when the process is gone meanwhile.
    const [state, , pgrp] = statFieldsAfterName(pid) ?? [];
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

/**
 * Waits until the interrupted attempt `record` has nothing left running: until its group
 * exits or the attempt's deadline (start + its timeout) passes, then kills the group.
 */
export async function settleOrphan(
  record: StartedRecord,
  marker?: string,
  pollMs = 100,
): Promise<OrphanOutcome> {
  const deadline = record.time + record.timeout_ms;
  if (record.host !== HOST) {
    if (record.pgid === undefined) return 'none';
    const wait = deadline - Date.now();
    if (wait > 0) await sleep(wait);
    return 'elsewhere';
  }
  if (record.pgid === undefined) {
    // The journal had no time to record the group: the program's marker says whether it
    // started, and its group.
    const mark = marker === undefined ? undefined : readMarker(marker);
    if (mark === undefined) return 'none';
    if (mark === 'unreadable') return 'ended';
    record.pgid = mark;
  }
  if (!groupAlive(record)) return 'ended';
  while (Date.now() < deadline) {
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    if (!groupAlive(record)) return 'ended';
  }
  killProcessGroup(record.pgid as number);
  // SIGKILL is not ignorable; the group is gone once its members are reaped.
  for (let i = 0; i < 50 && groupAlive(record); i += 1) await sleep(20);
  return 'killed';
}
