/**
 * The journal: this healer's own record of the actions it starts, in an append-only
 * JSON-lines file (`recovery.journal_file`).
 *
 * fsync policy: every record is written and fdatasync'ed before the call resolves. The
 * dispatcher awaits `started` before the action runs and `finished` before it records
 * the outcome, so after a crash (even of the host) the journal names every attempt that
 * may have run and did not finish, with its process group. Records of one event-loop
 * turn share one write and one sync. At start the file is read back and rewritten
 * (temporary file, fsync, rename) with only what is younger than the episode TTL, so it
 * stays small.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, open as openFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** An attempt about to run: everything needed to close it, and to find what it left, after a crash. */
export interface StartedRecord {
  t: 'started';
  /** Unique per attempt. */
  id: string;
  time: number;
  episode: string;
  target: string;
  rule: string;
  action: string;
  attempt: number;
  source: 'webhook' | 'local';
  alertname: string;
  fingerprint: string;
  starts_at: string;
  /** The replica (process) that ran it, as its leases name it. */
  replica: string;
  /** The host it ran on: a process group can be checked only there. */
  host: string;
  timeout_ms: number;
  cooldown_key: string;
  cooldown_ms: number;
  /** The process group, once the action started one. */
  pgid?: number;
  /** The group leader's start time (field 22 of /proc/PID/stat), so a reused pid is not mistaken for it. */
  pg_start?: string;
}

export interface SpawnedRecord {
  t: 'spawned';
  id: string;
  pgid: number;
  pg_start?: string;
}

/** `interrupted`: the healer stopped during it, or (written at start-up) it died during it. */
export type AttemptOutcome = 'succeeded' | 'failed' | 'interrupted' | 'cancelled';

export interface FinishedRecord {
  t: 'finished';
  id: string;
  time: number;
  episode: string;
  outcome: AttemptOutcome;
  /** The episode is over: nothing more will be attempted for it. */
  final: boolean;
}

/** The Redis store's epoch this healer last saw, so it notices a Redis that lost its data. */
export interface EpochRecord {
  t: 'epoch';
  time: number;
  value: string;
}

/** This healer's name in leases, kept across restarts. */
export interface ReplicaRecord {
  t: 'replica';
  value: string;
}

export type JournalRecord =
  StartedRecord | SpawnedRecord | FinishedRecord | EpochRecord | ReplicaRecord;

/** What the journal held at start-up. */
export interface JournalReplay {
  /** Attempts started and never finished: a crash interrupted them. */
  open: StartedRecord[];
  /** Attempts that started, with their outcome if they finished. */
  attempts: { record: StartedRecord; finished?: FinishedRecord }[];
  /** Episodes over for good, with when. */
  done: Map<string, number>;
  epoch?: string;
  /** This healer's name, the same as before the restart (made up on the first start). */
  replica: string;
}

export class Journal {
  readonly #file: string;
  #handle: FileHandle | undefined;
  #pending: string[] = [];
  #flushing: Promise<void> | undefined;
  #waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(file: string) {
    this.#file = file;
  }

  /** The file attempt `id`'s program writes its process group to (in `JOURNAL.runs/`). */
  marker(id: string): string {
    return join(`${this.#file}.runs`, `${id}.pgid`);
  }

  removeMarker(id: string): void {
    rmSync(this.marker(id), { force: true });
  }

  /**
   * Reads the journal, keeps what is younger than `keepMs` (and the epoch), rewrites the
   * file with it, and opens it for appending. Unreadable lines (a torn last write) are skipped.
   */
  async load(nowMs: number, keepMs: number): Promise<JournalReplay> {
    try {
      mkdirSync(dirname(this.#file), { recursive: true });
    } catch (error) {
      // mkdir -p says "file already exists" of a regular file on the path.
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new Error(`a part of ${dirname(this.#file)} is not a directory`);
      throw error;
    }
    let text = '';
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const started = new Map<string, StartedRecord>();
    const finished = new Map<string, FinishedRecord>();
    const done = new Map<string, number>();
    let epoch: EpochRecord | undefined;
    let replica: ReplicaRecord | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let record: JournalRecord;
      try {
        record = JSON.parse(line) as JournalRecord;
      } catch {
        continue;
      }
      if (record.t === 'epoch') epoch = record;
      else if (record.t === 'replica') replica = record;
      else if (record.t === 'started') started.set(record.id, record);
      else if (record.t === 'spawned') {
        const attempt = started.get(record.id);
        if (attempt) {
          attempt.pgid = record.pgid;
          if (record.pg_start !== undefined) attempt.pg_start = record.pg_start;
        }
      } else if (record.t === 'finished') {
        finished.set(record.id, record);
        if (record.final) done.set(record.episode, record.time);
      }
    }
    const cutoff = nowMs - keepMs;
    replica ??= { t: 'replica', value: randomUUID() };
    const kept: JournalRecord[] = epoch ? [replica, epoch] : [replica];
    const attempts: JournalReplay['attempts'] = [];
    const open: StartedRecord[] = [];
    for (const record of started.values()) {
      const end = finished.get(record.id);
      // An open attempt is kept whatever its age: it is closed at this start-up.
      if (end === undefined) open.push(record);
      else if (record.time < cutoff) continue;
      attempts.push(end ? { record, finished: end } : { record });
      kept.push(record);
      if (end) kept.push(end);
    }
    for (const [episode, time] of done) if (time < cutoff) done.delete(episode);
    // Rewritten whole, then renamed over: a crash leaves either the old or the new file.
    const temporary = `${this.#file}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, kept.map((record) => `${JSON.stringify(record)}\n`).join(''));
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.#file);
    // Markers of attempts no longer open are left-overs of a crash during their end.
    const markers = `${this.#file}.runs`;
    mkdirSync(markers, { recursive: true, mode: 0o700 });
    const openIds = new Set(open.map((record) => record.id));
    for (const name of readdirSync(markers))
      if (!openIds.has(name.replace(/\.pgid$/, ''))) rmSync(join(markers, name), { force: true });
    this.#handle = await openFile(this.#file, 'a', 0o600);
    return {
      open,
      attempts,
      done,
      replica: replica.value,
      ...(epoch ? { epoch: epoch.value } : {}),
    };
  }

  /** Appends `record`; resolves once it is on disk (fdatasync). */
  append(record: JournalRecord): Promise<void> {
    this.#pending.push(`${JSON.stringify(record)}\n`);
    const written = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#flushing ??= Promise.resolve().then(() => this.#flush());
    return written;
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const text = this.#pending.join('');
      const waiters = this.#waiters;
      this.#pending = [];
      this.#waiters = [];
      try {
        if (!this.#handle) throw new Error(`the journal ${this.#file} is not open`);
        await this.#handle.appendFile(text);
        await this.#handle.datasync();
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.#flushing = undefined;
  }

  async close(): Promise<void> {
    await this.#flushing;
    await this.#handle?.close();
    this.#handle = undefined;
  }
}
