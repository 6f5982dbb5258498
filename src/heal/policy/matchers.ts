/**
 * Label matchers in Alertmanager's syntax: `name="value"`, `name!="value"`,
 * `name=~"regex"`, `name!~"regex"`, the value quoted or bare. Regexes are anchored at
 * both ends, as Alertmanager anchors them, and a missing label matches as the empty
 * string, so `team=""` matches alerts without a team.
 */

export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  operator: MatchOperator;
  value: string;
  matches(labels: Readonly<Record<string, string>>): boolean;
}

// The operator alternatives are ordered so `=~` is tried before `=`.
const MATCHER_PATTERN = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/** Parses one matcher; throws an Error whose message says what is wrong. */
export function parseMatcher(text: string): Matcher {
  const match = MATCHER_PATTERN.exec(text);
  if (!match) {
    throw new Error(
      `bad matcher ${JSON.stringify(text)}: expected NAME OP VALUE with OP one of =, !=, =~, !~`,
    );
  }
  const [, name = '', operator = '=', rawValue = ''] = match;
  const value = unquote(rawValue, text);
  try {
    return makeMatcher(name, operator as MatchOperator, value);
  } catch (error) {
    throw new Error(`bad matcher ${JSON.stringify(text)}: ${(error as Error).message}`);
  }
}

/** A matcher from its parts (an Alertmanager silence's matchers come as parts); throws on a bad regex. */
export function makeMatcher(name: string, op: MatchOperator, value: string): Matcher {
  let test: (actual: string) => boolean;
  if (op === '=~' || op === '!~') {
    const regex = new RegExp(`^(?:${value})$`, 's');
    test = op === '=~' ? (actual) => regex.test(actual) : (actual) => !regex.test(actual);
  } else {
    test = op === '=' ? (actual) => actual === value : (actual) => actual !== value;
  }
  return { name, operator: op, value, matches: (labels) => test(labels[name] ?? '') };
}

/**
 * Alertmanager's unescaping, exactly: an optional pair of double quotes; `\n`, `\"` and
 * `\\` are escapes, any other backslash is kept (so regexes like `nginx\.service` work);
 * an unescaped quote inside the value is an error.
 */
function unquote(raw: string, text: string): string {
  const quoted = raw.startsWith('"');
  const body = quoted ? raw.slice(1) : raw;
  let value = '';
  let escaped = false;
  let closed = !quoted;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index] as string;
    if (escaped) {
      escaped = false;
      value += char === 'n' ? '\n' : char === '"' || char === '\\' ? char : `\\${char}`;
      continue;
    }
    if (char === '\\' && index < body.length - 1) {
      escaped = true;
    } else if (char === '"') {
      if (closed || index < body.length - 1) {
        throw new Error(`bad matcher ${JSON.stringify(text)}: unescaped double quote in the value`);
      }
      closed = true;
    } else {
      value += char;
    }
  }
  if (!closed) throw new Error(`bad matcher ${JSON.stringify(text)}: missing closing double quote`);
  return value;
}

/** True when every matcher matches (an empty list matches everything, like a root route). */
export function matchesAll(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((matcher) => matcher.matches(labels));
}
