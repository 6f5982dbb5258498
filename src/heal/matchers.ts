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
  /** The original text, for messages. */
  text: string;
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
  const op = operator as MatchOperator;
  let test: (actual: string) => boolean;
  if (op === '=~' || op === '!~') {
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${value})$`, 's');
    } catch (error) {
      throw new Error(`bad matcher ${JSON.stringify(text)}: ${(error as Error).message}`);
    }
    test = op === '=~' ? (actual) => regex.test(actual) : (actual) => !regex.test(actual);
  } else {
    test = op === '=' ? (actual) => actual === value : (actual) => actual !== value;
  }
  return { name, operator: op, value, text, matches: (labels) => test(labels[name] ?? '') };
}

function unquote(raw: string, text: string): string {
  if (!raw.startsWith('"')) {
    if (/["\s]/.test(raw)) {
      throw new Error(
        `bad matcher ${JSON.stringify(text)}: quote a value holding quotes or spaces`,
      );
    }
    return raw;
  }
  try {
    // A double-quoted matcher value follows Go's string escapes, which JSON's cover.
    return JSON.parse(raw) as string;
  } catch {
    throw new Error(`bad matcher ${JSON.stringify(text)}: unterminated quote or bad escape`);
  }
}

/** True when every matcher matches (an empty list matches everything, like a root route). */
export function matchesAll(matchers: readonly Matcher[], labels: Record<string, string>): boolean {
  return matchers.every((matcher) => matcher.matches(labels));
}
