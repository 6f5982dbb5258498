/**
 * Cuts a JSON object's one large array member into its elements' texts, so that each can
 * be JSON.parse'd on its own, a few at a time between other work: one JSON.parse of a
 * 1,000-alert notification (700 KB) holds the event loop for about 10 ms, longer on a
 * busy machine (`npm run bench:storm`).
 *
 * The scan reads only the structure (strings, brackets, commas); JSON.parse still reads
 * every piece. When the text is not of the simple shape it expects (an object whose
 * member `key` is an array, once, with no escape in the object's own keys), it says so
 * (undefined), and the caller parses the whole text at once, as before: that also names
 * the error of a text that is not JSON.
 */

/** The object without its array's elements, and where each element's text is. */
export interface JsonPieces {
  /** The object's text with the array emptied (`"alerts":[]`). */
  envelope: string;
  /** Each element's text, as [start, end) offsets into the whole text, in order. */
  elements: Array<[number, number]>;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(code: number): boolean {
  // JSON's whitespace: space, tab, line feed, carriage return.
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * Splits `text`, a JSON object, at the elements of its member `key` (an array); undefined
 * when the text is not such an object, or has such a member twice.
 */
export function splitArrayMember(text: string, key: string): JsonPieces | undefined {
  const scanner = new Scanner(text);
  scanner.skipSpace();
  if (scanner.code() !== OPEN_BRACE) return undefined;
  scanner.at += 1;
  let array: { open: number; close: number; elements: Array<[number, number]> } | undefined;
  scanner.skipSpace();
  if (scanner.code() === CLOSE_BRACE) return undefined;
  for (;;) {
    scanner.skipSpace();
    if (scanner.code() !== QUOTE) return undefined;
    const keyStart = scanner.at + 1;
    const keyEnd = scanner.skipString();
    if (keyEnd === undefined) return undefined;
    const name = text.slice(keyStart, keyEnd);
    if (name.includes('\\')) return undefined;
    scanner.skipSpace();
    if (scanner.code() !== COLON) return undefined;
    scanner.at += 1;
    scanner.skipSpace();
    if (name === key) {
      if (array !== undefined || scanner.code() !== OPEN_BRACKET) return undefined;
      const open = scanner.at;
      const elements = scanner.elements();
      if (elements === undefined) return undefined;
      array = { open, close: scanner.at - 1, elements };
    } else if (!scanner.skipValue()) {
      return undefined;
    }
    scanner.skipSpace();
    const next = scanner.code();
    scanner.at += 1;
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return undefined;
  }
  scanner.skipSpace();
  if (scanner.at !== text.length || array === undefined) return undefined;
  return {
    envelope: `${text.slice(0, array.open)}[]${text.slice(array.close + 1)}`,
    elements: array.elements,
  };
}

class Scanner {
  at = 0;
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  /** The character code at the position; NaN past the end. */
  code(): number {
    return this.#text.charCodeAt(this.at);
  }

  skipSpace(): void {
    while (isSpace(this.#text.charCodeAt(this.at))) this.at += 1;
  }

  /** At a quote: moves past the string and returns the offset of its closing quote. */
  skipString(): number | undefined {
    const text = this.#text;
    let from = this.at + 1;
    for (;;) {
      const quote = text.indexOf('"', from);
      if (quote === -1) return undefined;
      let backslashes = 0;
      while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
      if (backslashes % 2 === 0) {
        this.at = quote + 1;
        return quote;
      }
      from = quote + 1;
    }
  }

  /**
   * Moves past one value: a string, an object or array (to its matching bracket), or a
   * literal (to the next structural character). False when the brackets do not match.
   */
  skipValue(): boolean {
    const text = this.#text;
    let depth = 0;
    for (;;) {
      const code = text.charCodeAt(this.at);
      if (Number.isNaN(code)) return false;
      if (code === QUOTE) {
        if (this.skipString() === undefined) return false;
        if (depth === 0) return true;
        continue;
      }
      if (code === OPEN_BRACE || code === OPEN_BRACKET) depth += 1;
      else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
        if (depth === 0) return true; // A literal's end: the enclosing object's or array's.
        depth -= 1;
        if (depth === 0) {
          this.at += 1;
          return true;
        }
      } else if (depth === 0 && (code === COMMA || isSpace(code))) return true;
      this.at += 1;
    }
  }

  /** At an array's `[`: moves past its `]` and returns its elements' offsets. */
  elements(): Array<[number, number]> | undefined {
    const elements: Array<[number, number]> = [];
    this.at += 1;
    this.skipSpace();
    if (this.code() === CLOSE_BRACKET) {
      this.at += 1;
      return elements;
    }
    for (;;) {
      this.skipSpace();
      const start = this.at;
      if (!this.skipValue() || this.at === start) return undefined;
      elements.push([start, this.at]);
      this.skipSpace();
      const next = this.code();
      this.at += 1;
      if (next === CLOSE_BRACKET) return elements;
      if (next !== COMMA) return undefined;
    }
  }
}
