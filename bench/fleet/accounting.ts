/**
 * What the healer tier did with the fleet's episodes, from the replicas' audits: each
 * action (`started`) is matched to the planned episode of its host whose start it belongs
 * to. An episode with two actions is a duplicate; one that fired long enough to be
 * notified and drained, with none, is lost.
 */
import type { Episode, FleetPlan } from './episodes.js';
import { EVAL_MS, hostOf } from './prometheus-pair.js';
import type { AuditLine } from './replicas.js';

export interface EpisodeAccount {
  episodes: number;
  byKind: Record<string, { episodes: number; acted: number; duplicates: number; lost: number }>;
  actions: number;
  /** Episodes acted on more than once, and the extra actions. */
  duplicates: number;
  extraActions: number;
  /** Episodes with no action. */
  lost: number;
  /** Actions that belong to no planned episode (should be 0). */
  strays: number;
  /** Per acted episode: its first action's start minus the episode's start (ms). */
  startToActionMs: number[];
  /** Decisions audited per reason, over every replica. */
  reasons: Record<string, number>;
  /** The duplicated and the lost episodes, with every audit entry of their host around them. */
  anomalies: { episode: Episode; problem: 'duplicate' | 'lost'; entries: AuditTrail[] }[];
}

export interface AuditTrail extends AuditLine {
  replica: number;
}

export function accountEpisodes(
  plan: FleetPlan,
  t0: number,
  audits: AuditLine[][],
): EpisodeAccount {
  const byHost = new Map<number, Episode[]>();
  for (const episode of plan.episodes) {
    const list = byHost.get(episode.host) ?? [];
    list.push(episode);
    byHost.set(episode.host, list);
  }
  const actions = new Map<Episode, number[]>();
  const trail = (episode: Episode): AuditTrail[] =>
    audits.flatMap((audit, replica) =>
      audit
        .filter((entry) => entry.target !== undefined && hostOf(entry.target) === episode.host)
        .filter((entry) => {
          const at = Date.parse(entry.starts_at) - t0;
          return at >= episode.startMs - 10_000 && at <= episode.endMs + 10_000;
        })
        .map((entry) => ({ ...entry, replica })),
    );
  const reasons: Record<string, number> = {};
  let strays = 0;
  let total = 0;
  for (const audit of audits) {
    for (const entry of audit) {
      const key = entry.reason ? `${entry.decision}:${entry.reason}` : entry.decision;
      reasons[key] = (reasons[key] ?? 0) + 1;
      if (entry.decision !== 'started' || entry.target === undefined) continue;
      total += 1;
      const startsAt = Date.parse(entry.starts_at) - t0;
      // Either server's startsAt is at most one evaluation after the episode's start.
      const episode = byHost
        .get(hostOf(entry.target))
        ?.find((e) => startsAt >= e.startMs && startsAt <= e.startMs + EVAL_MS);
      if (!episode) {
        strays += 1;
        continue;
      }
      const times = actions.get(episode) ?? [];
      times.push(Date.parse(entry.time) - t0);
      actions.set(episode, times);
    }
  }
  const account: EpisodeAccount = {
    episodes: plan.episodes.length,
    byKind: {},
    actions: total,
    duplicates: 0,
    extraActions: 0,
    lost: 0,
    strays,
    startToActionMs: [],
    reasons,
    anomalies: [],
  };
  for (const episode of plan.episodes) {
    const kind = (account.byKind[episode.kind] ??= {
      episodes: 0,
      acted: 0,
      duplicates: 0,
      lost: 0,
    });
    kind.episodes += 1;
    const times = actions.get(episode) ?? [];
    if (times.length === 0) {
      kind.lost += 1;
      account.lost += 1;
      account.anomalies.push({ episode, problem: 'lost', entries: trail(episode) });
      continue;
    }
    kind.acted += 1;
    account.startToActionMs.push(Math.min(...times) - episode.startMs);
    if (times.length > 1) {
      kind.duplicates += 1;
      account.duplicates += 1;
      account.extraActions += times.length - 1;
      account.anomalies.push({ episode, problem: 'duplicate', entries: trail(episode) });
    }
  }
  return account;
}
