import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBundle } from '../../../src/cli/run-bundle.js';

/** What a bundle saw, recorded on the global object it ran in. */
interface Seen {
  url: string;
  dirname: string;
  filename: string;
  folder: string;
  platform: string;
  exports: boolean;
}
const seen = () => (globalThis as { __runBundleSeen?: Seen[] }).__runBundleSeen ?? [];

/** A CommonJS bundle that records what it sees, as scripts/bundle-cli.mjs writes them. */
const BUNDLE = `"use strict";
var os = require("node:os");
(globalThis.__runBundleSeen ??= []).push({
  url: __aegisImportMetaUrl,
  dirname: __aegisImportMetaDirname,
  filename: __filename,
  folder: __dirname,
  platform: os.platform(),
  exports: module.exports === exports,
});
`;

let dir: string;
let bundle: string;
let cache: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'run-bundle-'));
  bundle = join(dir, 'cli.bundle.cjs');
  cache = join(dir, 'cli.bundle.cache');
  writeFileSync(bundle, BUNDLE);
});
afterEach(() => {
  delete (globalThis as { __runBundleSeen?: Seen[] }).__runBundleSeen;
});

describe('runBundle', () => {
  it('runs a CommonJS bundle with require, its own file and folder, and import.meta stand-ins', () => {
    runBundle(bundle, cache);
    expect(seen()).toEqual([
      {
        url: pathToFileURL(bundle).href,
        dirname: dir,
        filename: bundle,
        folder: dir,
        platform: process.platform,
        exports: true,
      },
    ]);
  });

  it('compiles without a cache when there is none, and makes one', () => {
    const script = runBundle(bundle, cache);
    expect(script.cachedDataRejected).toBeUndefined();
    expect(script.createCachedData().length).toBeGreaterThan(0);
  });

  // Each case runs a source this process has not compiled: V8 keeps what it compiled in
  // memory too, and a source it finds there never reads the cache.
  it('still runs the bundle when V8 rejects the cache: another source, or no cache at all', () => {
    writeFileSync(cache, runBundle(bundle, cache).createCachedData());
    writeFileSync(bundle, `${BUNDLE}// one more line, one more length\n`);
    expect(runBundle(bundle, cache).cachedDataRejected).toBe(true);
    writeFileSync(bundle, `${BUNDLE}// and another\n`);
    writeFileSync(cache, 'not a code cache');
    expect(runBundle(bundle, cache).cachedDataRejected).toBe(true);
    expect(seen()).toHaveLength(3);
  });

  it('reports the line and column of an error in the bundle as they are in its file', () => {
    writeFileSync(bundle, 'throw new Error("at start");');
    let stack = '';
    try {
      runBundle(bundle, cache);
    } catch (error) {
      stack = (error as Error).stack ?? '';
    }
    expect(stack).toContain(`${bundle}:1:7`);
  });

  it('fails with the file named when there is no bundle', () => {
    expect(() => runBundle(join(dir, 'missing.cjs'), cache)).toThrow(
      `ENOENT: no such file or directory, open '${join(dir, 'missing.cjs')}'`,
    );
    expect(readFileSync(bundle, 'utf8')).toBe(BUNDLE);
  });
});
