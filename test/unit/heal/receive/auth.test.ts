import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../../src/heal/receive/auth.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-auth-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const base = { auth_token_env: 'HEAL_TOKEN', auth_disabled: false };

describe('createAuthenticator', () => {
  it('reads a token file, trimmed, as Alertmanager writes credentials_file', async () => {
    const file = join(dir, 'token');
    await writeFile(file, 'file-token\n');
    const auth = await createAuthenticator(
      { ...base, auth_token_file: file },
      { HEAL_TOKEN: 'env-token' },
    );
    expect(auth.check('Bearer file-token')).toBe('ok');
    expect(auth.check('bearer file-token')).toBe('ok');
    expect(auth.check('Bearer env-token')).toBe('wrong');
    expect(auth.check('Bearer file-token-and-more')).toBe('wrong');
    expect(auth.check('Bearer file-toke')).toBe('wrong');
    expect(auth.check('Bearer file-tokex')).toBe('wrong');
    expect(auth.check('Bearer fïle-token')).toBe('wrong');
    expect(auth.check(undefined)).toBe('missing');
    expect(auth.check('Basic ZmlsZS10b2tlbg==')).toBe('missing');
  });

  it('falls back to the environment variable', async () => {
    const auth = await createAuthenticator(base, { HEAL_TOKEN: 'env-token' });
    expect(auth.check('Bearer env-token')).toBe('ok');
  });

  it('with no token refuses unless auth is explicitly disabled; a token always wins', async () => {
    expect((await createAuthenticator(base, {})).check('Bearer x')).toBe('not_configured');
    expect((await createAuthenticator({ ...base, auth_disabled: true }, {})).check(undefined)).toBe(
      'ok',
    );
    expect(
      (await createAuthenticator({ ...base, auth_disabled: true }, { HEAL_TOKEN: 't' })).check(
        undefined,
      ),
    ).toBe('missing');
  });

  it('refuses an empty, missing or unreadable token file at start, naming it', async () => {
    const empty = join(dir, 'empty');
    await writeFile(empty, '\n');
    await expect(createAuthenticator({ ...base, auth_token_file: empty }, {})).rejects.toThrow(
      `recovery: invalid configuration:\n  recovery.auth_token_file: ${empty} is empty: it must hold the token`,
    );
    await expect(
      createAuthenticator({ ...base, auth_token_file: join(dir, 'nope') }, {}),
    ).rejects.toThrow(`recovery.auth_token_file: cannot read ${join(dir, 'nope')}: no such file`);
    await expect(createAuthenticator({ ...base, auth_token_file: dir }, {})).rejects.toThrow(
      `recovery.auth_token_file: cannot read ${dir}: it is a directory`,
    );
  });
});
