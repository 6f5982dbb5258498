// Alertmanager's silences as the local loop reads them: matcher semantics, states and times.
import { describe, expect, it, vi } from 'vitest';
import { silenceFromApi } from '../../../../src/heal/policy/silences.js';
import { matchesAll } from '../../../../src/heal/policy/matchers.js';
import { startTestHealer } from '../helpers.js';

const base = {
  id: 's1',
  status: { state: 'active' },
  startsAt: '2025-01-01T00:00:00Z',
  endsAt: '2025-01-01T01:00:00Z',
};

function matches(
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[],
  labels: Record<string, string>,
): boolean {
  const silence = silenceFromApi({ ...base, matchers });
  if (!silence) throw new Error('no silence');
  return matchesAll(silence.matchers, labels);
}

describe('silenceFromApi', () => {
  it('reads the four operators as Alertmanager does, regexes anchored', () => {
    const labels = { alertname: 'AegisEndpointDown', target: 'db-main' };
    expect(matches([{ name: 'target', value: 'db-main', isRegex: false }], labels)).toBe(true);
    expect(matches([{ name: 'target', value: 'db', isRegex: true }], labels)).toBe(false);
    expect(matches([{ name: 'target', value: 'db-.*', isRegex: true }], labels)).toBe(true);
    expect(
      matches([{ name: 'target', value: 'db-main', isRegex: false, isEqual: false }], labels),
    ).toBe(false);
    expect(
      matches([{ name: 'target', value: 'web.*', isRegex: true, isEqual: false }], labels),
    ).toBe(true);
    // A label the alert lacks matches as the empty string.
    expect(matches([{ name: 'team', value: '', isRegex: false }], labels)).toBe(true);
    expect(
      matches(
        [
          { name: 'alertname', value: 'AegisEndpointDown', isRegex: false },
          { name: 'target', value: 'web', isRegex: false },
        ],
        labels,
      ),
    ).toBe(false);
  });

  it('keeps the silence times and author, and skips a regex JavaScript cannot read', () => {
    expect(
      silenceFromApi({
        ...base,
        createdBy: 'ops',
        comment: 'migration',
        matchers: [{ name: 'a', value: 'b', isRegex: false }],
      }),
    ).toMatchObject({
      id: 's1',
      createdBy: 'ops',
      comment: 'migration',
      startsAtMs: Date.parse(base.startsAt),
      endsAtMs: Date.parse(base.endsAt),
    });
    expect(
      silenceFromApi({ ...base, matchers: [{ name: 'a', value: '(', isRegex: true }] }),
    ).toBeUndefined();
  });
});

describe('an Alertmanager that cannot be read', () => {
  it('leaves local alerts healed as without one, logged once, and never holds up the start', async () => {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    const t = await startTestHealer(
      {
        auth_disabled: true,
        alertmanager_url: 'http://127.0.0.1:9',
        allowed_commands: ['/bin/true'],
        endpoint_down_rounds: 1,
      },
      `- matchers: ['alertname="AegisEndpointDown"']
  action: exec
  target: 'probe-{{ $labels.target }}'
  argv: [/bin/true]
`,
    );
    try {
      t.healer.observe(
        {
          timestamp_ms: Date.now(),
          collectors: [],
          probes: [
            {
              target: 'db',
              url: 'http://db/',
              success: false,
              duration_seconds: 0,
              status_code: 0,
            },
          ],
        },
        [],
      );
      await vi.waitFor(() =>
        expect(t.healer.status().recent.at(-1)).toMatchObject({
          decision: 'unverified',
          target: 'exec:probe-db',
        }),
      );
      expect(t.lines.filter((line) => line.event === 'heal_silences_unreadable')).toHaveLength(1);
      // The announcement of that action failed too, logged, without touching the action.
      await vi.waitFor(() =>
        expect(t.lines.find((line) => line.event === 'heal_announce_failed')).toMatchObject({
          url: 'http://127.0.0.1:9/api/v2/alerts',
        }),
      );
    } finally {
      await t.cleanup();
    }
  });
});
