/** The package version and the Git revision it was built from, for build_info and --version. */
import { existsSync, readFileSync } from 'node:fs';

interface PackageJson {
  version: string;
}

// src/version.ts and dist/version.js sit one folder below the package root;
// dist-bench/src/version.js (the benchmarks' build) sits two below.
const packageUrl = ['../package.json', '../../package.json']
  .map((relative) => new URL(relative, import.meta.url))
  .find((url) => existsSync(url)) as URL;
const packageJson = JSON.parse(readFileSync(packageUrl, 'utf8')) as PackageJson;

export const VERSION: string = packageJson.version;
/** Set by the image build (`--build-arg REVISION`); `unknown` in a plain checkout. */
export const REVISION: string = process.env.AEGIS_REVISION ?? 'unknown';
