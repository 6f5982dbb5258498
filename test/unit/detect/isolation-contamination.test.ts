import { describe, expect, it } from 'vitest';
import { detectionSchema } from '../../../src/config/detection.js';
import { DetectorCore } from '../../../src/detect/detector-core.js';
import { InlineForestTrainer } from '../../../src/detect/forest-trainer.js';
import { mulberry32 } from '../../../src/detect/prng.js';

/**
 * isolation_contamination is the expected share of anomalous rows: the forest's threshold
 * is that quantile of its training rows' scores, so on rows like those it trained on,
 * about that share scores above 1.
 */
function flaggedShare(contamination: number): number {
  const config = detectionSchema.parse({ isolation_contamination: contamination });
  const core = new DetectorCore(config, new InlineForestTrainer());
  const random = mulberry32(3);
  let flagged = 0;
  let scored = 0;
  for (let row = 0; row < 4000; row += 1) {
    const values = new Map([
      ['a', random()],
      ['b', random()],
      ['c', random()],
    ]);
    const result = core.step(1_700_000_000_000 + row * 1000, values);
    if (!core.forest) continue;
    scored += 1;
    if (result.iforest > 1) flagged += 1;
  }
  expect(scored).toBeGreaterThan(3000);
  return flagged / scored;
}

describe('isolation_contamination', () => {
  it('sets the share of ordinary rows the forest flags', () => {
    const tenPercent = flaggedShare(0.1);
    expect(tenPercent).toBeGreaterThan(0.07);
    expect(tenPercent).toBeLessThan(0.13);
    expect(flaggedShare(0.01)).toBeLessThan(0.02);
    // The default: only rows more isolated than every row it trained on.
    expect(flaggedShare(0.0001)).toBeLessThan(0.002);
  });
});
