/**
 * Every error a user can meet, with a stable code (the fastify way): the code is what
 * logs, tests and callers match on; the message says what was wrong and where.
 */

export class SentinelError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One problem found in a configuration: where it is and what is wrong. */
export interface ConfigProblem {
  /** Dotted path into the configuration, e.g. `monitoring.collection_interval`. */
  path: string;
  message: string;
}

/** A configuration (file, flags or object) that does not validate. Lists every problem. */
export class ConfigError extends SentinelError {
  readonly problems: readonly ConfigProblem[];
  readonly source: string;
  constructor(source: string, problems: readonly ConfigProblem[]) {
    super(
      'AEGIS_CONFIG_INVALID',
      `${source}: invalid configuration:\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`,
    );
    this.problems = problems;
    this.source = source;
  }
}

/** A command-line flag that is unknown or malformed. */
export class FlagError extends SentinelError {
  constructor(message: string) {
    super('AEGIS_FLAG_INVALID', message);
  }
}

/** The sentinel was asked to do something its lifecycle state does not allow. */
export class LifecycleError extends SentinelError {
  constructor(message: string) {
    super('AEGIS_LIFECYCLE', message);
  }
}
