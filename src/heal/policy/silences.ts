/**
 * Alertmanager's silences, for the local loop: an alert the agent raised itself is not
 * acted on while an active silence in Alertmanager matches it, as Alertmanager would
 * not have notified /heal of it. Silences are read from `GET /api/v2/silences` every
 * `alertmanager_silence_refresh`, in the background, so a round never waits on the
 * network. Matching is Alertmanager's: every matcher of a silence must match (`=`,
 * `!=`, `=~`, `!~`, regexes anchored, a missing label as the empty string).
 *
 * When Alertmanager cannot be read, the last silences read stay in force (logged once
 * per outage); before the first successful read none are known, so local alerts are
 * healed as without an Alertmanager.
 */
import type { Logger } from '../../logger.js';
import type { Clock, Timer } from '../dispatch/clock.js';
import { type Matcher, type MatchOperator, makeMatcher, matchesAll } from './matchers.js';

interface ApiSilence {
  id: string;
  status: { state: string };
  startsAt: string;
  endsAt: string;
  createdBy?: string;
  comment?: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
}

export interface Silence {
  id: string;
  createdBy: string;
  comment: string;
  startsAtMs: number;
  endsAtMs: number;
  matchers: Matcher[];
}

export interface AlertmanagerSilencesOptions {
  /** Alertmanager's base URL. */
  url: string;
  refreshMs: number;
  timeoutMs: number;
  logger: Logger;
  clock: Clock;
}

/** The matchers of an API silence; undefined when one cannot be built (a regex JavaScript refuses). */
export function silenceFromApi(silence: ApiSilence): Silence | undefined {
  try {
    return {
      id: silence.id,
      createdBy: silence.createdBy ?? '',
      comment: silence.comment ?? '',
      startsAtMs: Date.parse(silence.startsAt),
      endsAtMs: Date.parse(silence.endsAt),
      matchers: silence.matchers.map((m) => {
        const equal = m.isEqual !== false;
        const op: MatchOperator = m.isRegex ? (equal ? '=~' : '!~') : equal ? '=' : '!=';
        return makeMatcher(m.name, op, m.value);
      }),
    };
  } catch {
    return undefined;
  }
}

export class AlertmanagerSilences {
  readonly #options: AlertmanagerSilencesOptions;
  #silences: Silence[] = [];
  #timer: Timer | undefined;
  #failing = false;
  #stopped = false;

  constructor(options: AlertmanagerSilencesOptions) {
    this.#options = options;
  }

  /**
   * Reads the silences (resolving once read or failed, within the timeout), then again
   * every refresh interval until stop(): the first round already knows them.
   */
  async start(): Promise<void> {
    await this.refresh();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#options.clock.setTimeout(() => {
      void this.refresh().then(() => this.#schedule());
    }, this.#options.refreshMs);
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  /** The active silence matching `labels`, if any. */
  silencing(labels: Record<string, string>): Silence | undefined {
    const now = this.#options.clock.now();
    return this.#silences.find(
      (silence) =>
        silence.startsAtMs <= now && now < silence.endsAtMs && matchesAll(silence.matchers, labels),
    );
  }

  /** One read of the silences; never rejects. */
  async refresh(): Promise<void> {
    const { url, timeoutMs, logger } = this.#options;
    try {
      const response = await fetch(`${url}/api/v2/silences`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      const silences = (await response.json()) as ApiSilence[];
      this.#silences = silences
        .filter((silence) => silence.status.state !== 'expired')
        .map(silenceFromApi)
        .filter((silence) => silence !== undefined);
      if (this.#failing) {
        logger.info({ event: 'heal_silences_read', url }, 'Alertmanager silences readable again');
      }
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) {
        logger.warn(
          { event: 'heal_silences_unreadable', url, err: error },
          `cannot read Alertmanager's silences: the last ones read (${this.#silences.length}) stay in force`,
        );
      }
      this.#failing = true;
    }
  }
}
