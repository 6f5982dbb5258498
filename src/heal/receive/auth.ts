/**
 * Bearer-token authentication of /heal, as Alertmanager sends it
 * (`http_config.authorization.credentials_file`). The token comes from a file or an
 * environment variable; with neither, /heal refuses everything unless the operator
 * explicitly turned authentication off.
 */
import { timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { RecoveryConfig } from '../../config/recovery.js';
import { ConfigError } from '../../errors.js';

export type AuthVerdict = 'ok' | 'missing' | 'wrong' | 'not_configured';

export interface TokenCheck {
  check(authorization: string | undefined): AuthVerdict;
}

/** What the webhook needs: the check, and how to configure a token for its refusal message. */
export interface Authenticator extends TokenCheck {
  readonly howToConfigure: string;
}

type AuthConfig = Pick<RecoveryConfig, 'auth_token_file' | 'auth_token_env' | 'auth_disabled'>;

/** How to give the healer a token, for refusals that have none to check against. */
export function howToConfigureAuth(config: Pick<RecoveryConfig, 'auth_token_env'>): string {
  return (
    `set recovery.auth_token_file to a file holding the token, or the environment variable ` +
    `${config.auth_token_env}, and send it as Alertmanager's authorization credentials; ` +
    `or set recovery.auth_disabled: true to accept unauthenticated requests`
  );
}

/** Reads the token once, at start. An empty or unreadable token file is a ConfigError. */
export async function createAuthenticator(
  config: AuthConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TokenCheck> {
  let token: string | undefined;
  if (config.auth_token_file !== undefined) {
    const file = config.auth_token_file;
    try {
      // Alertmanager's credentials_file is trimmed the same way.
      token = (await readFile(file, 'utf8')).trim();
    } catch (error) {
      throw new ConfigError('recovery', [
        {
          path: 'recovery.auth_token_file',
          message: `cannot read ${file}: ${readFailure(error as NodeJS.ErrnoException)}`,
        },
      ]);
    }
    if (token === '') {
      throw new ConfigError('recovery', [
        { path: 'recovery.auth_token_file', message: `${file} is empty: it must hold the token` },
      ]);
    }
  } else {
    const fromEnv = env[config.auth_token_env]?.trim();
    token = fromEnv === '' ? undefined : fromEnv;
  }
  const expected = token === undefined ? undefined : Buffer.from(token);
  return {
    check(authorization) {
      // A configured token is always required, even with auth_disabled: a token wins.
      if (expected === undefined) return config.auth_disabled ? 'ok' : 'not_configured';
      const match = /^Bearer +(.+)$/i.exec(authorization ?? '');
      if (!match) return 'missing';
      const given = Buffer.from((match[1] as string).trim());
      // Constant time in the token's length whatever is sent: a wrong length still compares
      // the token with itself, so the timing tells nothing about the token but its length.
      const sameLength = given.length === expected.length;
      return timingSafeEqual(sameLength ? given : expected, expected) && sameLength
        ? 'ok'
        : 'wrong';
    },
  };
}

function readFailure(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a directory';
    case 'EACCES':
      return 'permission denied';
    default:
      return error.message;
  }
}
