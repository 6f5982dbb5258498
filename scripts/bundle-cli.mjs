// `npm run build`'s second step: after tsc has built dist/, replaces dist/cli.js with the
// command bundled into one file with its dependencies. Start-up on Node.js 20 is mostly
// module loading, and most of that is resolving and reading hundreds of files one by one
// (docs/design.md#one-file-command). The rest of dist/ stays as tsc built it: the
// library (dist/index.js), the forest worker and the schema sources `--help` reads.
//
// Left out, and loaded from node_modules when used: the packages the command imports only
// when its configuration needs them (dockerode, ioredis, bcryptjs); iconv-lite, whose
// encoding tables only a body in another charset than UTF-8 loads; and mime-db, a JSON
// file that JSON.parse reads faster than V8 compiles it as code: 860 KB less to compile.
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const src = join(root, 'src');

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

await build({
  entryPoints: [join(src, 'cli.ts')],
  outfile: join(root, 'dist/cli.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['dockerode', 'ioredis', 'bcryptjs', 'iconv-lite', 'mime-db'],
  // The CommonJS dependencies inside the bundle require Node.js' own modules.
  banner: {
    js: "import { createRequire as __aegisCreateRequire } from 'node:module';\nconst require = __aegisCreateRequire(import.meta.url);",
  },
  // V8 keeps the bundle's source in the heap for the life of the process: without its
  // comments and blanks it is a third smaller, and all ASCII, which V8 stores in one
  // byte a character instead of two (4.7 MB of heap become 1.6). Names are kept, and the
  // source map gives stack traces their files and lines (node --enable-source-maps).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  sourcesContent: false,
  plugins: [importMetaAsBuilt, zodEnglishOnly],
  logLevel: 'warning',
});
