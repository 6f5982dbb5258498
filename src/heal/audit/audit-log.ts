/**
 * The durable history of healing decisions: one JSON object per line in
 * `recovery.audit_file`, also XADDed to a capped Redis stream when Redis is the state
 * store, and the latest few kept in memory for /status.
 *
 * fsync policy: the lines of one event-loop turn are written together, and not synced:
 * a crash of the process loses nothing written, a crash of the host may lose the last
 * lines. What healing needs after a crash is in the journal, which is synced.
 *
 * When the file cannot be opened or written, the log says so once, `writable` turns
 * false (the healer then refuses work unless told to fail open), and the file is opened
 * again every few seconds until it works.
 */
import { createWriteStream, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../logger.js';

export type Decision =
  | 'started'
  | 'succeeded'
  | 'unverified'
  | 'cancelled'
  | 'failed'
  | 'interrupted'
  | 'skipped'
  | 'deferred'
  | 'dry_run';

/** How often an unwritable audit file is tried again. */
const REOPEN_MS = 5_000;

export interface AuditEntry {
  /** ISO time of the decision. */
  time: string;
  decision: Decision;
  /** Why, for skipped/deferred/failed: duplicate, cooldown, backoff, circuit_open, timeout, ... */
  reason?: string;
  /** `webhook` (Alertmanager) or `local` (the agent's own signals). */
  source: 'webhook' | 'local';
  alertname: string;
  fingerprint: string;
  starts_at: string;
  rule?: string;
  action?: string;
  target?: string;
  /** Attempt number within the episode, from 1. */
  attempt?: number;
  duration_seconds?: number;
  /** For deferred: when the attempt is due. */
  retry_at?: string;
  /** The argv an exec ran or would have run. */
  argv?: string[];
  error?: string;
  /** For interrupted: what became of the attempt's process group (none, ended, killed, elsewhere). */
  orphan?: string;
  /** For interrupted: whether the episode is left to a re-run (false: its program ran to its end). */
  rerun?: boolean;
}

export interface AuditLogOptions {
  file: string;
  recentEntries: number;
  logger: Logger;
  /** A second sink (the Redis stream), given the entry's JSON; failures are logged, never fatal. */
  stream?: (json: string) => Promise<void>;
  /** Told when the file turns unwritable, or writable again. */
  onWritableChange?: (writable: boolean) => void;
}

export class AuditLog {
  readonly #recent: AuditEntry[] = [];
  readonly #options: AuditLogOptions;
  #file: WriteStream | undefined;
  #pending = '';
  #flushScheduled = false;
  #writable = false;
  #reopen: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: AuditLogOptions) {
    this.#options = options;
  }

  /** Whether the audit file is open and its last write succeeded. */
  get writable(): boolean {
    return this.#writable;
  }

  /** Opens the file; one that cannot be opened is reported (not thrown) and tried again. */
  open(): void {
    if (this.#closed) return;
    let fd: number;
    try {
      mkdirSync(dirname(this.#options.file), { recursive: true });
      fd = openSync(this.#options.file, 'a', 0o640);
    } catch (error) {
      this.#unwritable(error);
      return;
    }
    const file = createWriteStream(this.#options.file, { fd });
    file.on('error', (error) => {
      if (this.#file === file) this.#file = undefined;
      file.destroy();
      this.#unwritable(error);
    });
    this.#file = file;
    this.#setWritable(true);
  }

  #unwritable(error: unknown): void {
    if (this.#writable || this.#reopen === undefined) {
      this.#options.logger.error(
        { event: 'heal_audit_write_failed', file: this.#options.file, err: error },
        `cannot write the healing audit file ${this.#options.file}: ${(error as Error).message}`,
      );
    }
    this.#setWritable(false);
    if (this.#reopen === undefined && !this.#closed) {
      this.#reopen = setInterval(() => {
        if (!this.#writable) this.open();
      }, REOPEN_MS);
      this.#reopen.unref();
    }
  }

  #setWritable(writable: boolean): void {
    if (writable && this.#reopen !== undefined) {
      clearInterval(this.#reopen);
      this.#reopen = undefined;
      this.#options.logger.info(
        { event: 'heal_audit_writable', file: this.#options.file },
        'the healing audit file can be written again',
      );
    }
    if (writable === this.#writable) return;
    this.#writable = writable;
    this.#options.onWritableChange?.(writable);
  }

  append(entry: AuditEntry): void {
    this.#recent.push(entry);
    if (this.#recent.length > this.#options.recentEntries) this.#recent.shift();
    const json = JSON.stringify(entry);
    if (this.#file) {
      // Lines of one event-loop turn go out in one write: a burst of decisions costs one syscall.
      this.#pending += `${json}\n`;
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => this.#flush());
      }
    }
    this.#options.stream?.(json).catch((error: unknown) => {
      this.#options.logger.warn(
        { event: 'heal_audit_stream_failed', err: error },
        'cannot append to the Redis audit stream; the audit file has the entry',
      );
    });
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pending === '') return;
    this.#file?.write(this.#pending);
    this.#pending = '';
  }

  /** The latest entries, oldest first. */
  recent(): AuditEntry[] {
    return [...this.#recent];
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reopen !== undefined) clearInterval(this.#reopen);
    this.#reopen = undefined;
    this.#flush();
    const file = this.#file;
    this.#file = undefined;
    if (file) await new Promise<void>((resolve) => file.end(resolve));
  }
}
