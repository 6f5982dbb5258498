import { describe, expect, it } from 'vitest';
import {
  BCRYPT_HASH,
  bcryptHash,
  bcryptVerify,
  blowfishInitialWords,
} from '../../../src/http/bcrypt.js';

/** Hashes made by libxcrypt (Python's crypt, htpasswd's algorithm) and jBCrypt's test vectors. */
const KNOWN: Array<[string, string]> = [
  ['alice123', '$2b$04$xdGSvGEJIfzPGRQb8CbQD.Rf.AyWloPhmIDx8nl9ukrWjz/iesCoS'],
  ['', '$2b$04$D93fz0lAFC5GtcJv.Vst1.b1.8CM8iduCXl1PardgOwXI8H75mfCS'],
  ['pässwörd', '$2b$05$mdiOa6HZu/GFHmQgsDGwkOq2/UnNWQksuB2HqwGBSbvY17Yy1oQbG'],
  ['x'.repeat(80), '$2b$04$KAQKcssQkaUUEqQoUwY5b.9wX0Qn3P57cftvCFCP9mQ6D9MdBvyQ6'],
  ['', '$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.'],
  ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
];

describe('bcrypt', () => {
  it("derives Blowfish's initial P-array and S-boxes from π", () => {
    const words = blowfishInitialWords();
    expect(words).toHaveLength(18 + 1024);
    expect([words[0], words[1], words[17]]).toEqual([0x243f6a88, 0x85a308d3, 0x8979fb1b]);
    expect([words[18], words[18 + 255], words[18 + 1023]]).toEqual([
      0xd1310ba6, 0x6e85076a, 0x3ac372e6,
    ]);
  });

  it.each(KNOWN)('accepts %j against its hash and refuses another password', (password, hash) => {
    expect(bcryptVerify(password, hash)).toBe(true);
    expect(bcryptVerify(`${password}!`, hash)).toBe(password.length >= 72);
    // $2y$ (htpasswd's prefix) is the same algorithm.
    expect(bcryptVerify(password, hash.replace(/^\$2[ab]\$/, '$2y$'))).toBe(true);
  });

  it('uses only the first 72 bytes of a password, as every bcrypt does', () => {
    const hash = KNOWN[3]![1];
    expect(bcryptVerify(`${'x'.repeat(72)}anything`, hash)).toBe(true);
    expect(bcryptVerify('x'.repeat(71), hash)).toBe(false);
  });

  it('makes hashes it verifies, in the format it validates', () => {
    const hash = bcryptHash('s3cret', 4, new Uint8Array(16).fill(7));
    expect(hash).toMatch(BCRYPT_HASH);
    expect(bcryptVerify('s3cret', hash)).toBe(true);
    expect(bcryptVerify('s3cre', hash)).toBe(false);
  });

  it('matches nothing against a malformed hash', () => {
    for (const bad of ['', 'plain', '$2b$03$' + 'a'.repeat(53), '$1$abc$def', KNOWN[0]![1] + 'x'])
      expect(bcryptVerify('alice123', bad)).toBe(false);
  });
});
