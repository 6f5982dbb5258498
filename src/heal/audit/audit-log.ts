/**
 * The durable history of healing decisions: one JSON object per line in
 * `recovery.audit_file`, also XADDed to a capped Redis stream when Redis is the state
 * store, and the latest few kept in memory for /status.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../logger.js';

export type Decision =
  | 'started'
  | 'succeeded'
  | 'unverified'
  | 'cancelled'
  | 'failed'
  | 'skipped'
  | 'deferred'
  | 'dry_run';

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
}

export interface AuditLogOptions {
  file: string;
  recentEntries: number;
  logger: Logger;
  /** A second sink (the Redis stream), given the entry's JSON; failures are logged, never fatal. */
  stream?: (json: string) => Promise<void>;
}

export class AuditLog {
  readonly #recent: AuditEntry[] = [];
  readonly #options: AuditLogOptions;
  #file: WriteStream | undefined;
  #pending = '';
  #flushScheduled = false;

  constructor(options: AuditLogOptions) {
    this.#options = options;
  }

  open(): void {
    mkdirSync(dirname(this.#options.file), { recursive: true });
    this.#file = createWriteStream(this.#options.file, { flags: 'a' });
    this.#file.on('error', (error) => {
      this.#options.logger.error(
        { event: 'heal_audit_write_failed', file: this.#options.file, err: error },
        'cannot write the healing audit file',
      );
    });
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
    this.#flush();
    const file = this.#file;
    this.#file = undefined;
    if (file) await new Promise<void>((resolve) => file.end(resolve));
  }
}
