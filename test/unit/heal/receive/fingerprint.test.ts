import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../../src/heal/receive/fingerprint.js';

describe('fingerprint', () => {
  // Vectors from prometheus/common's signature tests (same algorithm as LabelSet.Fingerprint).
  it('matches prometheus/common for the empty set and a known set', () => {
    expect(fingerprint({})).toBe(14695981039346656037n.toString(16));
    expect(fingerprint({ name: 'garland, briggs', fear: 'love is not enough' })).toBe(
      5799056148416392346n.toString(16).padStart(16, '0'),
    );
  });

  it('does not depend on key order', () => {
    expect(fingerprint({ a: '1', b: '2' })).toBe(fingerprint({ b: '2', a: '1' }));
    expect(fingerprint({ a: '1', b: '2' })).not.toBe(fingerprint({ a: '12', b: '' }));
  });
});
