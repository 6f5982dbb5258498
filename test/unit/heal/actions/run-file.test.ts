// runFile: argv reaches the program as is, with and without the process-group marker's
// shell, and a failure names what failed.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runFile } from '../../../../src/heal/actions/run-file.js';
import { CommandFailedError } from '../../../../src/heal/errors.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-run-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HOSTILE = ['$(id)', '`id`', '*', 'a; b', 'two\nlines', '-c', '--', ''];

describe('runFile', () => {
  it('passes every argument through the marker shell unparsed, and marks the group first', async () => {
    const marker = join(dir, 'run.pgid');
    let spawned: number | undefined;
    const output = await runFile(
      '/usr/bin/printf',
      ['%s|', ...HOSTILE],
      new AbortController().signal,
      undefined,
      { marker, onSpawn: (pgid) => (spawned = pgid) },
    );
    expect(output.stdout).toBe(`${HOSTILE.join('|')}|`);
    expect(await readFile(marker, 'utf8')).toBe(`${spawned}\n`);
  });

  it('passes the same arguments unparsed without a marker', async () => {
    const output = await runFile(
      '/usr/bin/printf',
      ['%s|', ...HOSTILE],
      new AbortController().signal,
    );
    expect(output.stdout).toBe(`${HOSTILE.join('|')}|`);
  });

  it('names a program that does not exist', async () => {
    await expect(runFile('/nonexistent/heal', [], new AbortController().signal)).rejects.toThrow(
      new CommandFailedError('/nonexistent/heal could not start (ENOENT)'),
    );
  });

  it('reports a program missing behind the marker shell under the agent name, not the marker path', async () => {
    const failure = runFile('/nonexistent/heal', [], new AbortController().signal, undefined, {
      marker: join(dir, 'run.pgid'),
    });
    await expect(failure).rejects.toThrow(CommandFailedError);
    const message = await failure.catch((error: Error) => error.message);
    expect(message).toMatch(
      /^\/nonexistent\/heal exited with code 127: aegis-sentinel: 1: exec: \/nonexistent\/heal: not found/,
    );
    expect(message).not.toContain('run.pgid');
  });
});
