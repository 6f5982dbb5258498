import { describe, expect, it } from 'vitest';
import { BCRYPT_HASH } from '../../../src/config/web-config-file.js';
import { BasicAuth } from '../../../src/http/basic-auth.js';

/** Hashes made by libxcrypt (Python's crypt, htpasswd's algorithm) and jBCrypt's test vectors. */
const KNOWN: Array<[string, string]> = [
  ['alice123', '$2b$04$xdGSvGEJIfzPGRQb8CbQD.Rf.AyWloPhmIDx8nl9ukrWjz/iesCoS'],
  ['pässwörd', '$2b$05$mdiOa6HZu/GFHmQgsDGwkOq2/UnNWQksuB2HqwGBSbvY17Yy1oQbG'],
  ['abc', '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'],
];

const header = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('BasicAuth', () => {
  it.each(KNOWN)(
    'accepts %j against hashes htpasswd and jBCrypt made ($2a$, $2b$, $2y$), and refuses another password',
    (password, hash) => {
      expect(hash).toMatch(BCRYPT_HASH);
      const auth = new BasicAuth({ alice: hash, carol: hash.replace(/^\$2[ab]\$/, '$2y$') });
      expect(auth.check(header('alice', password))).toBe(true);
      expect(auth.check(header('carol', password))).toBe(true);
      expect(auth.check(header('alice', `${password}!`))).toBe(false);
    },
  );

  it('refuses unknown users, malformed headers and malformed hashes', () => {
    const [password, hash] = KNOWN[0]!;
    const auth = new BasicAuth({ alice: hash, broken: 'plain' });
    expect(auth.check(header('bob', password))).toBe(false);
    expect(auth.check(header('broken', 'plain'))).toBe(false);
    expect(auth.check(undefined)).toBe(false);
    expect(auth.check('Bearer abc')).toBe(false);
    expect(auth.check(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBe(false);
  });
});
