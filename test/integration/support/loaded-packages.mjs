// Preloaded with `node --import` by test/integration/cli.test.ts: when the process exits,
// writes the file of every CommonJS module it loaded, one a line, to
// $AEGIS_LOADED_MODULES_FILE, then `node:NAME` for each of node's own modules it loaded
// (process.moduleLoadList). A package imported from ES modules (dockerode, ioredis) is
// loaded by the CommonJS loader, so its files are in this cache once it is imported.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import process from 'node:process';

const cache = createRequire(import.meta.url).cache;
const file = process.env.AEGIS_LOADED_MODULES_FILE;
const builtins = () =>
  process.moduleLoadList
    .filter((entry) => entry.startsWith('NativeModule '))
    .map((entry) => `node:${entry.slice('NativeModule '.length)}`);
if (file)
  process.on('exit', () => writeFileSync(file, [...Object.keys(cache), ...builtins()].join('\n')));
