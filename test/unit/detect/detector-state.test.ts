import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectionSchema } from '../../../src/config/detection.js';
import { DetectorCore } from '../../../src/detect/detector-core.js';
import { loadState, saveState, STATE_VERSION } from '../../../src/detect/detector-state.js';
import { InlineForestTrainer } from '../../../src/detect/forest-trainer.js';
import { mulberry32 } from '../../../src/detect/prng.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config = detectionSchema.parse({
  min_samples_for_detection: 50,
  isolation_refit_samples: 64,
});

/** Rounds of a few series: noise, a cycle, a constant, and one that vanishes. */
function* rounds(count: number, from = 0): Generator<[number, Map<string, number>]> {
  const random = mulberry32(from + 1);
  for (let i = from; i < from + count; i += 1) {
    const values = new Map<string, number>([
      ['noise', 10 + random()],
      ['cycle', 5 + Math.sin(i / 9) + 0.1 * random()],
      ['constant', 3],
    ]);
    if (i < 150) values.set('vanishes', random());
    yield [1_700_000_000_000 + i * 1000, values];
  }
}

function steppedCore(count: number): DetectorCore {
  const core = new DetectorCore(config, new InlineForestTrainer());
  for (const [timestamp, values] of rounds(count)) core.step(timestamp, values);
  core.forget('vanishes');
  return core;
}

describe('detector state', () => {
  it('writes the state in pieces to a file that loadState reads back as the same state', async () => {
    const core = steppedCore(400);
    expect(core.forest).toBeDefined();
    const file = join(dir, 'nested', 'state.json');
    await saveState(file, config, core.saveText());
    const loaded = await loadState(file, config);
    expect(loaded).toEqual(JSON.parse(JSON.stringify(core.save())));
    // Written to a temporary file renamed into place: nothing else is left behind.
    expect(await readdir(join(dir, 'nested'))).toEqual(['state.json']);
  });

  it('restores from the pieces to a core that steps exactly like the one that never stopped', async () => {
    const core = steppedCore(400);
    const file = join(dir, 'state.json');
    await saveState(file, config, core.saveText());
    const restored = new DetectorCore(config, new InlineForestTrainer());
    restored.restore((await loadState(file, config))!);
    for (const [timestamp, values] of rounds(300, 400)) {
      const a = core.step(timestamp, values);
      const b = restored.step(timestamp, values);
      expect(b.iforest).toBe(a.iforest);
      expect(b.composite).toBe(a.composite);
      expect(b.onset).toBe(a.onset);
      expect([...b.series]).toEqual([...a.series]);
    }
  });

  it('yields to the event loop while it writes a large state', async () => {
    const core = new DetectorCore(config, new InlineForestTrainer());
    const random = mulberry32(4);
    for (let i = 0; i < 400; i += 1) {
      const values = new Map<string, number>();
      for (let s = 0; s < 200; s += 1) values.set(`series-${s}`, random());
      core.step(1_700_000_000_000 + i * 1000, values);
    }
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 0);
    const seen: number[] = [];
    const counting = (function* (): Generator<string> {
      for (const piece of core.saveText()) {
        seen.push(ticks);
        yield piece;
      }
    })();
    await saveState(join(dir, 'state.json'), config, counting);
    clearInterval(timer);
    expect(seen.length).toBeGreaterThan(200);
    // Timers ran between the first piece and the last: the serialising was cut in slices.
    expect(seen.at(-1)).toBeGreaterThan(seen[0]!);
  });

  it('replaces a state of the previous format version, naming it', async () => {
    const file = join(dir, 'state.json');
    await writeFile(file, JSON.stringify({ version: STATE_VERSION - 1, settings: {}, core: {} }));
    await expect(loadState(file, config)).rejects.toThrow(
      `incompatible: format version ${STATE_VERSION - 1}, expected ${STATE_VERSION}`,
    );
  });
});
