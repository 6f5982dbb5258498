// `npm run build`'s third step: runs the bundled command once, as `dist/cli.js` would,
// from start to its first /healthz 200 to a clean stop, and writes the code V8 compiled
// on the way to dist/cli.bundle.cache, which every later start reads instead of compiling
// (src/cli/run-bundle.ts, docs/design.md#code-cache). The run happens in a folder of its
// own, on the embedded defaults, quiet but for errors, on a free loopback port.
//
// Without a cache the command still runs, only slower to start: a run that fails here
// says why and leaves no cache, and the build goes on.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { runBundle } from '../dist/cli/run-bundle.js';

const dist = join(import.meta.dirname, '../dist');
const bundle = join(dist, 'cli.bundle.cjs');
const cache = join(dist, 'cli.bundle.cache');
const GIVE_UP_MS = 30_000;

function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function healthy(url) {
  return new Promise((resolve) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).once('error', () => resolve(false));
  });
}

const folder = mkdtempSync(join(tmpdir(), 'aegis-code-cache-'));
process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
const config = join(folder, 'config.yml');
writeFileSync(config, 'log:\n  level: error\n');
const port = await freeLoopbackPort();
process.chdir(folder);
process.argv = [
  process.argv[0],
  bundle,
  `--config.file=${config}`,
  `--web.listen-address=127.0.0.1:${port}`,
];

const script = runBundle(bundle, cache);
const started = Date.now();
while (!(await healthy(`http://127.0.0.1:${port}/healthz`))) {
  if (process.exitCode !== undefined || Date.now() - started > GIVE_UP_MS) {
    process.stderr.write(
      `code cache: not written, the command did not answer /healthz within ${GIVE_UP_MS} ms; it will start without one\n`,
    );
    process.exit(0);
  }
  await sleep(20);
}
// The agent stops as on any SIGTERM; the process ends when it has.
process.once('exit', (code) => {
  if (code === 0) writeFileSync(cache, script.createCachedData());
});
process.kill(process.pid, 'SIGTERM');
// A stop that never ends must not hang the build: what ran is compiled all the same.
setTimeout(() => {
  process.stderr.write(`code cache: the command did not stop within ${GIVE_UP_MS} ms\n`);
  process.exit(0);
}, GIVE_UP_MS).unref();
