#!/usr/bin/env node
/**
 * `dist/cli.js`, the `aegis-sentinel` command as built: runs the one-file command with
 * the code cache `npm run build` wrote beside it (src/cli/run-bundle.ts).
 */
import { join } from 'node:path';
import { runBundle } from './cli/run-bundle.js';

runBundle(
  join(import.meta.dirname, 'cli.bundle.cjs'),
  join(import.meta.dirname, 'cli.bundle.cache'),
);
