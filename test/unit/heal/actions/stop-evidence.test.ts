// The rule that tells a person's stop from a crash, on event logs as Docker and podman 4.3
// write them (seen on this machine's podman: test/services/heal/left-alone.test.ts).
import { describe, expect, it } from 'vitest';
import { judgeExit } from '../../../../src/heal/actions/stop-evidence.js';

const at = (action: string, second = 1) => ({ Action: action, timeNano: second * 1e9 });

describe('judgeExit', () => {
  it.each([
    ['docker stop', [at('kill'), at('die', 2), at('stop', 3)], true, 'logged a kill request'],
    ['docker kill / podman kill', [at('kill'), at('die', 2)], true, 'logged a kill request'],
    ['podman stop, its stop event logged', [at('stop'), at('die'), at('cleanup')], true, 'stop'],
    ['podman stop, two cleanups', [at('die'), at('cleanup'), at('cleanup')], true, '2 times'],
    ['a crash on podman', [at('die'), at('cleanup')], false, 'no stop or kill request'],
    ['a crash on Docker', [at('die')], false, 'no stop or kill request'],
  ])('%s', (_what, events, byUser, evidence) => {
    const verdict = judgeExit(false, events);
    expect(verdict.byUser).toBe(byUser);
    expect(verdict.evidence).toContain(evidence);
  });

  it('counts an OOM kill as dying on its own, whatever the log says', () => {
    expect(judgeExit(true, [at('kill')])).toEqual({
      byUser: false,
      evidence: 'the engine says it was OOM-killed',
    });
  });

  it('dates the request it rests on', () => {
    expect(judgeExit(false, [at('stop', 1_764_000_000)]).evidence).toBe(
      'the engine logged a stop request at 2025-11-24T16:00:00.000Z',
    );
  });
});
