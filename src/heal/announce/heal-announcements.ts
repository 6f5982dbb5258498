/** From the decision recorder to the announcer: which decisions and circuits people hear about. */
import type { AuditEntry } from '../audit/audit-log.js';
import type { Job } from '../dispatch/job.js';
import { announcedEvent, announcement } from './announcement.js';
import type { Announcer } from './announcer.js';

export class HealAnnouncements {
  readonly #announcer: Announcer;
  readonly #defaultMaxAttempts: number;

  constructor(announcer: Announcer, defaultMaxAttempts: number) {
    this.#announcer = announcer;
    this.#defaultMaxAttempts = defaultMaxAttempts;
  }

  /** Announces an action taken, failed or given up; other decisions are not announced. */
  decision(entry: AuditEntry, job: Job): void {
    const lastAttempt = job.attempt >= (job.rule.max_attempts ?? this.#defaultMaxAttempts);
    const event = announcedEvent(entry, lastAttempt);
    if (event) this.#announcer.announce(announcement(event, entry));
  }

  /** Announces the circuit `failed` (the attempt's entry) opened, until `untilMs`. */
  circuitOpened(failed: AuditEntry, untilMs: number): void {
    this.#announcer.announce(announcement('circuit_open', failed, new Date(untilMs).toISOString()));
  }

  flush(): Promise<void> {
    return this.#announcer.flush();
  }
}
