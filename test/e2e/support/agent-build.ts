// The e2e tier runs the agent as users do, `node cli.js --config.file=...`, from a build of
// its own in .tmp/e2e-dist: dist/ may be stale or rebuilt by someone else mid-run, and an
// incremental tsc of the current sources takes seconds.
import { join } from 'node:path';
import { runCommand } from '../../support/processes.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const OUT_DIR = join(ROOT, '.tmp', 'e2e-dist');

/** Builds the agent from src/ and resolves to the path of its cli.js. */
export async function buildAgent(): Promise<string> {
  await runCommand(
    join(ROOT, 'node_modules', '.bin', 'tsc'),
    [
      ...['-p', join(ROOT, 'tsconfig.build.json')],
      ...['--outDir', OUT_DIR, '--tsBuildInfoFile', join(OUT_DIR, '.tsbuildinfo')],
    ],
    { timeoutMs: 180_000 },
  );
  return join(OUT_DIR, 'cli.js');
}
