#!/usr/bin/env node
/** The `aegis-sentinel` command. */
import { parseFlags } from './config/flags.js';
import { checkConfig } from './cli/check-config.js';
import { checkReferencedPolicy, checkTokenFile } from './cli/check-policy.js';
import { checkReferencedWebConfig } from './cli/check-web-config.js';
import { helpText } from './cli/help.js';
import { checkWrittenFiles, configFromFlags } from './cli/run-config.js';
import { SentinelError } from './errors.js';
import { REVISION, VERSION } from './version.js';

async function main(argv: string[]): Promise<number> {
  const command = argv[0];
  if (command === 'backtest') {
    const { runBacktest } = await import('./detect/backtest-command.js');
    return runBacktest(argv.slice(1));
  }
  const flags = parseFlags(argv);
  if (flags.help) {
    process.stdout.write(helpText());
    return 0;
  }
  if (flags.version) {
    process.stdout.write(
      `aegis-sentinel, version ${VERSION} (revision: ${REVISION})\n  node: ${process.version}\n`,
    );
    return 0;
  }
  if (flags.positionals[0] === 'check-config') {
    return checkConfig(flags.positionals.slice(1), process, [
      checkReferencedPolicy,
      checkTokenFile,
      checkReferencedWebConfig,
      checkWrittenFiles,
    ]);
  }
  if (flags.positionals.length > 0) {
    process.stderr.write(`unknown command ${JSON.stringify(flags.positionals[0])}; see --help\n`);
    return 2;
  }
  return runAgent(await configFromFlags(flags));
}

async function runAgent(config: Awaited<ReturnType<typeof configFromFlags>>): Promise<number> {
  // Loaded here, not at the top, so that --help, --version and check-config skip the
  // agent's dependencies (express, prom-client, dockerode, ioredis).
  const { AegisSentinel } = await import('./sentinel.js');
  const sentinel = new AegisSentinel(config);
  await sentinel.start();
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      sentinel.logger.info({ event: 'signal_received', signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await sentinel.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      error instanceof SentinelError
        ? `${error.message}\n`
        : `${(error as Error)?.stack ?? String(error)}\n`,
    );
    process.exitCode = error instanceof SentinelError ? 2 : 1;
  },
);
