/**
 * Runs the one-file command (`dist/cli.bundle.cjs`, built by scripts/bundle-cli.mjs)
 * from V8's code cache when there is one: `dist/cli.js` is this and nothing more.
 *
 * Node.js 20 has no compile cache of its own (`module.enableCompileCache` came in 22), so
 * every start compiled the 1.2 MB bundle again, and each of its functions the first time it
 * ran: 50 ms of the agent's start-up, more than node_exporter's whole start
 * (docs/design.md#code-cache). A `vm.Script` takes the code V8 compiled in an earlier run
 * (`createCachedData`) and checks it is for this V8, these flags and a source of this
 * length. A cache it rejects, or none, costs only the compile it would have cost anyway.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';

/** The names the bundle's modules see for `import.meta.url` and `.dirname` (esbuild's `define`). */
export const IMPORT_META_URL = '__aegisImportMetaUrl';
export const IMPORT_META_DIRNAME = '__aegisImportMetaDirname';

const PARAMETERS = [
  'exports',
  'require',
  'module',
  '__filename',
  '__dirname',
  IMPORT_META_URL,
  IMPORT_META_DIRNAME,
];
const WRAPPER_START = `(function (${PARAMETERS.join(', ')}) {`;

type BundleFunction = (...values: unknown[]) => void;

/** The code cache at `path`, or none when there is no such file. */
function readCodeCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Compiles the CommonJS bundle at `bundlePath`, with the code cache at `cachePath` when
 * there is one, and runs it. Answers the compiled script: `createCachedData()` on it, once
 * the command has run, is the cache the next start reads.
 */
export function runBundle(bundlePath: string, cachePath: string): Script {
  // esbuild writes ASCII only (its default charset): read as latin1, the source needs no
  // decoding and V8 keeps it one byte a character.
  const source = readFileSync(bundlePath, 'latin1');
  const script = new Script(`${WRAPPER_START}${source}\n})`, {
    filename: bundlePath,
    // Stack traces and the source map see the bundle's own columns on its first line.
    columnOffset: -WRAPPER_START.length,
    // The bundle has no import(): a script from a code cache has no loader for it on
    // Node.js 20 (scripts/bundle-cli.mjs makes them require()).
    cachedData: readCodeCache(cachePath),
  });
  const run = script.runInThisContext() as BundleFunction;
  const module = { exports: {} };
  const folder = dirname(bundlePath);
  run(
    module.exports,
    createRequire(bundlePath),
    module,
    bundlePath,
    folder,
    pathToFileURL(bundlePath).href,
    folder,
  );
  return script;
}
