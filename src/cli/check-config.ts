/** `aegis-sentinel check-config FILE...`: validate files the way promtool check config does. */
import { readConfigFile } from '../config/load.js';
import { validateConfig } from '../config/validate.js';
import { ConfigError, type ConfigProblem } from '../errors.js';

export interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Extra checks on a valid configuration (the healing policy it names); returns problems. */
export type ExtraCheck = (config: ReturnType<typeof validateConfig>) => Promise<ConfigProblem[]>;

export async function checkConfig(
  files: readonly string[],
  io: Output,
  extraChecks: readonly ExtraCheck[] = [],
): Promise<number> {
  if (files.length === 0) {
    io.stderr.write('check-config needs at least one FILE\n');
    return 2;
  }
  let failed = false;
  for (const file of files) {
    io.stdout.write(`Checking ${file}\n`);
    let problems: ConfigProblem[] = [];
    try {
      const config = validateConfig(await readConfigFile(file), file);
      for (const check of extraChecks) problems.push(...(await check(config)));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = [...error.problems];
    }
    if (problems.length === 0) {
      io.stdout.write(`  SUCCESS: ${file} is valid\n\n`);
    } else {
      failed = true;
      io.stderr.write(
        `  FAILED: ${file}:\n${problems.map((p) => `    ${p.path || '(file)'}: ${p.message}\n`).join('')}\n`,
      );
    }
  }
  return failed ? 1 : 0;
}
