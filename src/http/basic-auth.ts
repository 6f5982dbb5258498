/**
 * HTTP basic authentication against `basic_auth_users` (bcrypt hashes), as
 * exporter-toolkit does it: an unknown user costs a bcrypt check too, so timing does not
 * tell which users exist, and results are cached by a digest of the credentials, so a
 * scraper sending the same credentials every 15 s pays for bcrypt once.
 */
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** The hash of a random password, forgotten (cost 10, as htpasswd -B makes them), checked for unknown users to spend the same time. */
const DUMMY_HASH = '$2b$10$ejCxRxyi8N4Mz.cKlwYy3eoEpW.0bdfutpl1dXtzjWMUl7XDw7bvq';

/** Most cached results; past it the oldest is forgotten. */
const CACHE_SIZE = 100;

export class BasicAuth {
  readonly #users: ReadonlyMap<string, string>;
  readonly #cache = new Map<string, boolean>();

  constructor(users: Record<string, string>) {
    this.#users = new Map(Object.entries(users));
  }

  /** Whether the `Authorization` header carries a known user and the right password. */
  check(authorization: string | undefined): boolean {
    const match = /^Basic +([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
    if (!match) return false;
    const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return false;
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const known = this.#users.get(user);
    const hash = known ?? DUMMY_HASH;
    const key = createHash('sha256')
      .update(`${user.length}:${user}\0${hash}\0${password}`)
      .digest('base64');
    let ok = this.#cache.get(key);
    if (ok === undefined) {
      ok = bcrypt.compareSync(password, hash) && known !== undefined;
      const oldest = this.#cache.keys().next();
      if (this.#cache.size >= CACHE_SIZE && !oldest.done) this.#cache.delete(oldest.value);
      this.#cache.set(key, ok);
    }
    return ok;
  }
}
