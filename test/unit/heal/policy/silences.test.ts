// Alertmanager's silences as the local loop reads them: matcher semantics, states and times.
import { describe, expect, it } from 'vitest';
import { silenceFromApi } from '../../../../src/heal/policy/silences.js';
import { matchesAll } from '../../../../src/heal/policy/matchers.js';

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
