// Every local link of the docs leads somewhere: README.md, CHANGELOG.md and docs/*.md link
// to files that exist and to headings (GitHub's anchors) that exist. Web and mail links
// are not followed.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function documents(): string[] {
  const docs = existsSync(join(ROOT, 'docs'))
    ? readdirSync(join(ROOT, 'docs'))
        .filter((name) => name.endsWith('.md'))
        .sort()
        .map((name) => join(ROOT, 'docs', name))
    : [];
  return [join(ROOT, 'README.md'), join(ROOT, 'CHANGELOG.md'), ...docs];
}

/** The text with fenced code blocks and inline code spans blanked, newlines kept. */
function withoutCode(text: string): string {
  const blank = (code: string) => code.replace(/[^\n]/g, ' ');
  let inFence: string | undefined;
  const lines = text.split('\n').map((line) => {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (inFence === undefined) {
      if (fence === undefined) return line;
      inFence = fence;
      return blank(line);
    }
    if (fence !== undefined && fence[0] === inFence[0] && fence.length >= inFence.length) {
      inFence = undefined;
    }
    return blank(line);
  });
  return lines.join('\n').replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, blank);
}

/** GitHub's heading anchor: lowercase, punctuation dropped, each space a hyphen. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link counts by its text
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown file defines: its headings' slugs (repeats get -1, -2...), and HTML ids. */
function anchors(file: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutCode(readFileSync(file, 'utf8')).split('\n')) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      found.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) found.add(match[1] as string);
  }
  return found;
}

interface Link {
  file: string;
  line: number;
  target: string;
}

function links(file: string): Link[] {
  const text = withoutCode(readFileSync(file, 'utf8'));
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const found: Link[] = [];
  // [text](target "title"), the text possibly wrapped over lines or holding [brackets].
  const inline = /!?\[(?:[^[\]]|\[[^[\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g;
  for (const match of text.matchAll(inline)) {
    found.push({ file, line: lineAt(match.index), target: match[1] as string });
  }
  // [label]: target
  for (const match of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) {
    found.push({ file, line: lineAt(match.index), target: match[1] as string });
  }
  return found;
}

/** What is wrong with a link, or undefined when it leads somewhere. */
function problem(link: Link): string | undefined {
  const { target } = link;
  if (/^(https?:|mailto:)/i.test(target)) return undefined;
  if (target === '') return 'empty target';
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return `unsupported scheme in ${target}`;
  const [pathPart = '', anchor] = target.split('#', 2) as [string, string | undefined];
  const path = pathPart === '' ? link.file : join(dirname(link.file), decodeURIComponent(pathPart));
  if (!existsSync(path)) return `${relative(ROOT, path)} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(path).isDirectory() || extname(path) !== '.md') {
    return `anchor #${anchor} on ${relative(ROOT, path)}, which is not a markdown file`;
  }
  if (!anchors(path).has(decodeURIComponent(anchor))) {
    return `${relative(ROOT, path)} has no heading with the anchor #${anchor}`;
  }
  return undefined;
}

describe('GitHub heading anchors', () => {
  it.each([
    ['Design note: ml-isolation-forest', 'design-note-ml-isolation-forest'],
    ['`web`', 'web'],
    ['Receiving alerts: `POST /heal`', 'receiving-alerts-post-heal'],
    ['The [stack](docs/stack.md), run it', 'the-stack-run-it'],
    ['Kill to recovery — 2.19 s', 'kill-to-recovery--219-s'],
    ['snake_case and Ünïcödé', 'snake_case-and-ünïcödé'],
  ])('%s -> #%s', (heading, anchor) => {
    expect(slug(heading)).toBe(anchor);
  });
});

describe('local links in the docs', () => {
  const files = documents();

  it('the docs exist, and links are found in them', () => {
    for (const file of files) expect(existsSync(file), relative(ROOT, file)).toBe(true);
    expect(files.flatMap(links).length).toBeGreaterThan(10);
  });

  it.each(files.map((file) => [relative(ROOT, file), file]))(
    '%s: every relative link and anchor resolves',
    (_name, file) => {
      const broken = links(file)
        .map((link) => ({ link, problem: problem(link) }))
        .filter((entry) => entry.problem !== undefined)
        .map(
          ({ link, problem }) =>
            `${relative(ROOT, link.file)}:${link.line}: (${link.target}) ${problem}`,
        );
      expect(broken, broken.join('\n')).toEqual([]);
    },
  );
});
