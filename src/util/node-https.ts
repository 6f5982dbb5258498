/**
 * node:https, loaded when first asked for: with it come node's tls and much of crypto,
 * 8 ms of start-up (docs/design.md#one-file-command) that an agent serving and
 * probing plain HTTP never needs.
 */
import { createRequire } from 'node:module';

type Https = typeof import('node:https');

let loaded: Https | undefined;

export function nodeHttps(): Https {
  loaded ??= createRequire(import.meta.url)('node:https') as Https;
  return loaded;
}
