// `npm run build`'s second step: after tsc has built dist/, bundles the command into one
// file with its dependencies, dist/cli.bundle.cjs, and replaces dist/cli.js with the
// launcher that runs it from V8's code cache (src/cli/run-bundle.ts); the third step,
// scripts/code-cache.mjs, writes that cache. Start-up on Node.js 20 is mostly module
// loading: resolving and reading hundreds of files one by one, then compiling them
// (docs/design.md#one-file-command). The rest of dist/ stays as tsc built it: the
// library (dist/index.js), the forest worker and the schema sources `--help` reads.
//
// Left out, and loaded from node_modules when used: the packages the command imports only
// when its configuration needs them (dockerode, ioredis, bcryptjs); iconv-lite, whose
// encoding tables only a body in another charset than UTF-8 loads; and mime-db, a JSON
// file that JSON.parse reads faster than V8 compiles it as code: 860 KB less to compile.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';
import { IMPORT_META_DIRNAME, IMPORT_META_URL } from '../dist/cli/run-bundle.js';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');
const bundle = join(root, 'dist/cli.bundle.cjs');

/**
 * Each module keeps the import.meta it has as tsc builds it (dist/detect/forest-trainer.js
 * finds dist/detect/forest-worker.js, dist/cli/help.js reads dist/config/): its
 * import.meta.url and import.meta.dirname are rewritten relative to the bundle.
 */
const importMetaAsBuilt = {
  name: 'import-meta-as-built',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\/src\/.*\.ts$/ }, async ({ path }) => {
      const contents = await readFile(path, 'utf8');
      if (!contents.includes('import.meta')) return undefined;
      const built = relative(src, path).replace(/\.ts$/, '.js');
      const folder = dirname(built) === '.' ? '' : `/${dirname(built)}`;
      return {
        loader: 'ts',
        contents: contents
          .replaceAll(
            'import.meta.url',
            `new URL(${JSON.stringify(`./${built}`)}, import.meta.url).href`,
          )
          .replaceAll('import.meta.dirname', `(import.meta.dirname + ${JSON.stringify(folder)})`),
      };
    });
  },
};

/**
 * zod's `z.locales` carries every language's error messages (296 KB of the bundle, 20 %
 * of what V8 compiles at start); the agent's messages are its own and zod's English
 * default is imported apart (zod/v4/classic/external.js), so the namespace keeps only it.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(esbuild) {
    esbuild.onLoad({ filter: /node_modules\/zod\/v4\/locales\/index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";',
      resolveDir: join(root, 'node_modules/zod/v4/locales'),
    }));
  },
};

/**
 * A plugin that rewrites one file of a package as esbuild loads it. `rewrite` gets the
 * file's source and throws when the file no longer has the shape it rewrites, which
 * fails the build rather than bundling the package unchanged.
 */
function rewritingFile(name, filter, rewrite) {
  return {
    name,
    setup(esbuild) {
      esbuild.onLoad({ filter }, async ({ path }) => ({
        contents: rewrite(await readFile(path, 'utf8'), path),
        resolveDir: dirname(path),
      }));
    },
  };
}

/**
 * express loads body-parser's four parsers, and with them raw-body and iconv-lite, when it
 * is loaded; the agent reads its bodies itself (src/heal/receive/) and uses none of them.
 * Each becomes a function that loads its parser when first called: 10 ms less start-up.
 */
const bodyParsersOnFirstUse = rewritingFile(
  'body-parsers-on-first-use',
  /node_modules\/body-parser\/index\.js$/,
  (source, path) => {
    const parser = /^exports\.(\w+) = require\('(\.\/lib\/types\/\w+)'\)$/gm;
    const names = [...source.matchAll(parser)].map((match) => match[1]);
    if (names.join() !== 'json,raw,text,urlencoded')
      throw new Error(`${path}: expected its four parsers, found ${names.join() || 'none'}`);
    return source.replace(
      parser,
      (_, name, file) =>
        `exports.${name} = function ${name} (options) { return require('${file}')(options) }`,
    );
  },
);

/**
 * mime-types reads mime-db (a 200 KB JSON file) and builds its extension-to-type maps,
 * twice over (its legacy order beside the new), when it is loaded: 15 ms of start-up. A
 * lookup by extension reads the maps, the landing page's `res.type('html')`; a content
 * type without a charset reads mime-db. The agent's /healthz, /status and /metrics send
 * theirs with a charset (src/http/app.ts), so neither is needed until the landing page
 * is: both are read on first use instead.
 */
const mimeTypesOnFirstUse = rewritingFile(
  'mime-types-on-first-use',
  /node_modules\/mime-types\/index\.js$/,
  (source, path) => {
    const load = "\nvar db = require('mime-db')\n";
    const populate = '\npopulateMaps(exports.extensions, exports.types)\n';
    for (const expected of [load, populate])
      if (!source.includes(expected)) throw new Error(`${path}: no ${expected.trim()}`);
    const rest = source.replace(load, '\n').replace(populate, '\n');
    const uses = [...rest.matchAll(/\bdb\b/g)].length;
    const rewritten = rest.replace(/\bdb\[/g, 'mimeDb()[').replace(/\(db\)/g, '(mimeDb())');
    if (uses === 0 || /\bdb\b/.test(rewritten))
      throw new Error(`${path}: mime-db read other than as db[...] or (db)`);
    return `${rewritten}
var loadedDb
function mimeDb () {
  if (loadedDb === undefined) loadedDb = require('mime-db')
  return loadedDb
}
var extensionsMap = exports.extensions
var typesMap = exports.types
var populated = false
function maps () {
  if (!populated) {
    populated = true
    populateMaps(extensionsMap, typesMap)
  }
}
Object.defineProperty(exports, 'extensions', { enumerable: true, get () { maps(); return extensionsMap } })
Object.defineProperty(exports, 'types', { enumerable: true, get () { maps(); return typesMap } })
`;
  },
);

/**
 * prom-client loads its Pushgateway client, and with it node's https, tls and zlib, when
 * it is loaded: 8 ms of start-up for a class the agent never uses. It loads on first use.
 */
const pushgatewayOnFirstUse = rewritingFile(
  'pushgateway-on-first-use',
  /node_modules\/prom-client\/index\.js$/,
  (source, path) => {
    const load = "exports.Pushgateway = require('./lib/pushgateway');";
    if (!source.includes(load)) throw new Error(`${path}: no ${load}`);
    return source.replace(
      load,
      "Object.defineProperty(exports, 'Pushgateway', { enumerable: true, get: () => require('./lib/pushgateway') });",
    );
  },
);

// V8 checks a code cache against the source's length, not its text: a cache left from an
// earlier bundle must not meet this one.
await rm(join(root, 'dist/cli.bundle.cache'), { force: true });
// tsc's map of its dist/cli.js, which the launcher replaces.
await rm(join(root, 'dist/cli.js.map'), { force: true });

await build({
  entryPoints: [join(src, 'cli.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  // CommonJS, for vm.Script and its code cache: Node.js 20 caches no ES module's code.
  format: 'cjs',
  // import() of the packages left out (dockerode, ioredis) becomes require(): a script
  // from a code cache has no loader for import() in Node.js 20.
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': IMPORT_META_URL, 'import.meta.dirname': IMPORT_META_DIRNAME },
  target: 'node20',
  external: ['dockerode', 'ioredis', 'bcryptjs', 'iconv-lite', 'mime-db'],
  // V8 keeps the bundle's source in the heap for the life of the process: without its
  // comments and blanks it is a third smaller, and all ASCII, which V8 stores in one
  // byte a character instead of two (4.7 MB of heap become 1.6). Names are kept, and the
  // source map gives stack traces their files and lines (node --enable-source-maps).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  sourcesContent: false,
  plugins: [
    importMetaAsBuilt,
    zodEnglishOnly,
    bodyParsersOnFirstUse,
    mimeTypesOnFirstUse,
    pushgatewayOnFirstUse,
  ],
  logLevel: 'warning',
});
// The bundle runs inside a function, where src/cli.ts's `#!` line is not JavaScript: a
// comment of the same length keeps the source map's lines and columns.
const bundled = await readFile(bundle, 'latin1');
if (bundled.startsWith('#!')) await writeFile(bundle, `//${bundled.slice(2)}`, 'latin1');

await build({
  entryPoints: [join(src, 'cli-launcher.ts')],
  outfile: join(root, 'dist/cli.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
});
