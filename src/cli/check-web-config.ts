/** check-config's check of the web configuration file (`web.config_file`) a configuration names. */
import type { SentinelConfig } from '../config/schema.js';
import { readWebConfigFile } from '../config/web-config-file.js';
import { ConfigError, type ConfigProblem } from '../errors.js';

/** Problems of the web configuration file, each named `FILE:KEY`. */
export async function checkReferencedWebConfig(config: SentinelConfig): Promise<ConfigProblem[]> {
  const file = config.web.config_file;
  if (file === undefined) return [];
  try {
    await readWebConfigFile(file);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => ({
      path: problem.path === '' ? file : `${file}:${problem.path}`,
      message: problem.message,
    }));
  }
}
