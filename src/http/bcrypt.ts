/**
 * bcrypt password verification (`$2a$`, `$2b$`, `$2y$`), as htpasswd -B and Prometheus'
 * exporter-toolkit hash `basic_auth_users`. node:crypto has no bcrypt, and this is the
 * agent's only use of it; verification is the whole need, so it is done here rather
 * than by a dependency (docs/design.md). The algorithm is Provos and Mazières' (1999):
 * Blowfish whose key schedule is made expensive (EksBlowfish) and which then encrypts
 * "OrpheanBeholderScryDoubt" 64 times. Blowfish's initial subkeys are the hexadecimal
 * digits of π, computed here once (Machin's formula on BigInts) instead of being
 * pasted in as a 4 KiB table; a test checks them and known hashes.
 */
import { timingSafeEqual } from 'node:crypto';

const P_WORDS = 18;
const S_WORDS = 4 * 256;

let piWords: Uint32Array | undefined;

/** atan(1/x) scaled by `scale`, by its Taylor series. */
function atanInverse(x: bigint, scale: bigint): bigint {
  const x2 = x * x;
  let power = scale / x;
  let sum = power;
  for (let k = 1n; ; k += 1n) {
    power /= x2;
    const term = power / (2n * k + 1n);
    if (term === 0n) return sum;
    sum += k % 2n === 1n ? -term : term;
  }
}

/** The first 18 + 1024 32-bit words of π's fractional part: Blowfish's P-array and S-boxes. */
export function blowfishInitialWords(): Uint32Array {
  if (piWords) return piWords;
  const bits = BigInt((P_WORDS + S_WORDS) * 32);
  const guard = 32n;
  const scale = 1n << (bits + guard);
  const pi = (16n * atanInverse(5n, scale) - 4n * atanInverse(239n, scale)) >> guard;
  const hex = (pi & ((1n << bits) - 1n)).toString(16).padStart((P_WORDS + S_WORDS) * 8, '0');
  piWords = new Uint32Array(P_WORDS + S_WORDS);
  for (let i = 0; i < piWords.length; i += 1) {
    piWords[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  }
  return piWords;
}

class Blowfish {
  readonly p: Uint32Array;
  readonly s: Uint32Array;
  /** The block being enciphered, as two halves; kept here to spare allocations. */
  l = 0;
  r = 0;

  constructor() {
    const initial = blowfishInitialWords();
    this.p = initial.slice(0, P_WORDS);
    this.s = initial.slice(P_WORDS);
  }

  #f(x: number): number {
    const s = this.s;
    return (
      ((((s[x >>> 24] as number) + (s[256 | ((x >>> 16) & 0xff)] as number)) ^
        (s[512 | ((x >>> 8) & 0xff)] as number)) +
        (s[768 | (x & 0xff)] as number)) >>>
      0
    );
  }

  /** Enciphers (this.l, this.r) in place. */
  encipher(): void {
    const p = this.p;
    let l = (this.l ^ (p[0] as number)) >>> 0;
    let r = this.r;
    for (let i = 1; i <= 16; i += 2) {
      r = (r ^ this.#f(l) ^ (p[i] as number)) >>> 0;
      l = (l ^ this.#f(r) ^ (p[i + 1] as number)) >>> 0;
    }
    this.l = (r ^ (p[17] as number)) >>> 0;
    this.r = l;
  }

  /** The (salted) key schedule: `salt` undefined is Blowfish's plain one. */
  expand(key: Uint8Array, salt: Uint8Array | undefined): void {
    const keyStream = new WordStream(key);
    for (let i = 0; i < P_WORDS; i += 1)
      this.p[i] = ((this.p[i] as number) ^ keyStream.next()) >>> 0;
    const saltStream = salt ? new WordStream(salt) : undefined;
    this.l = 0;
    this.r = 0;
    const fill = (table: Uint32Array, length: number) => {
      for (let i = 0; i < length; i += 2) {
        if (saltStream) {
          this.l = (this.l ^ saltStream.next()) >>> 0;
          this.r = (this.r ^ saltStream.next()) >>> 0;
        }
        this.encipher();
        table[i] = this.l;
        table[i + 1] = this.r;
      }
    };
    fill(this.p, P_WORDS);
    fill(this.s, S_WORDS);
  }
}

/** Big-endian 32-bit words read cyclically from bytes (bcrypt's stream2word). */
class WordStream {
  #offset = 0;
  constructor(private readonly bytes: Uint8Array) {}
  next(): number {
    let word = 0;
    for (let i = 0; i < 4; i += 1) {
      word = (word << 8) | (this.bytes[this.#offset] as number);
      this.#offset = (this.#offset + 1) % this.bytes.length;
    }
    return word >>> 0;
  }
}

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** bcrypt's base64: its own alphabet, no padding. */
function encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] as number;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    out += ALPHABET[b0 >> 2];
    out += ALPHABET[((b0 & 3) << 4) | (b1 >> 4)];
    if (i + 1 < bytes.length) out += ALPHABET[((b1 & 15) << 2) | (b2 >> 6)];
    if (i + 2 < bytes.length) out += ALPHABET[b2 & 63];
  }
  return out;
}

function decode(text: string, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let bits = 0;
  let buffer = 0;
  let index = 0;
  for (const char of text) {
    buffer = (buffer << 6) | ALPHABET.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (index < length) bytes[index] = (buffer >> bits) & 0xff;
      index += 1;
    }
  }
  return bytes;
}

/** `$2a$`, `$2b$` or `$2y$`, a two-digit cost 04-31, 22 characters of salt, 31 of hash. */
export const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/** The 31-character hash of `password` with `cost` and the 16-byte `salt`. */
export function bcryptDigest(password: string, cost: number, salt: Uint8Array): string {
  // The password's bytes and a NUL, at most 72 bytes, as OpenBSD's $2b$ takes it.
  const utf8 = Buffer.from(password, 'utf8');
  const key = new Uint8Array(Math.min(utf8.length + 1, 72));
  key.set(utf8.subarray(0, key.length));
  const state = new Blowfish();
  state.expand(key, salt);
  for (let round = 0; round < 2 ** cost; round += 1) {
    state.expand(key, undefined);
    state.expand(salt, undefined);
  }
  const text = new WordStream(Buffer.from('OrpheanBeholderScryDoubt'));
  const words = Array.from({ length: 6 }, () => text.next());
  for (let i = 0; i < 64; i += 1) {
    for (let block = 0; block < 6; block += 2) {
      state.l = words[block] as number;
      state.r = words[block + 1] as number;
      state.encipher();
      words[block] = state.l;
      words[block + 1] = state.r;
    }
  }
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  words.forEach((word, index) => view.setUint32(index * 4, word));
  return encode(bytes.subarray(0, 23));
}

/** Whether `password` matches the bcrypt `hash`; a malformed hash matches nothing. */
export function bcryptVerify(password: string, hash: string): boolean {
  if (!BCRYPT_HASH.test(hash)) return false;
  const cost = Number(hash.slice(4, 6));
  const salt = decode(hash.slice(7, 29), 16);
  const expected = Buffer.from(hash.slice(29));
  const actual = Buffer.from(bcryptDigest(password, cost, salt));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A bcrypt hash of `password` (for tests and tooling); `salt` is 16 random bytes. */
export function bcryptHash(password: string, cost: number, salt: Uint8Array): string {
  return `$2b$${String(cost).padStart(2, '0')}$${encode(salt)}${bcryptDigest(password, cost, salt)}`;
}
