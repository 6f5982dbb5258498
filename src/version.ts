/** The package version and the Git revision it was built from, for build_info and --version. */
import { readFileSync } from 'node:fs';

interface PackageJson {
  version: string;
}

// src/version.ts and dist/version.js both sit one folder below the package root.
const packageJson = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as PackageJson;

export const VERSION: string = packageJson.version;
/** Set by the image build (`--build-arg REVISION`); `unknown` in a plain checkout. */
export const REVISION: string = process.env.AEGIS_REVISION ?? 'unknown';
