/** Errors of the detector and the backtest, with stable codes (see src/errors.ts). */
import { SentinelError } from '../errors.js';

/** A backtest input that cannot be read: names the file and, where there is one, the line. */
export class BacktestInputError extends SentinelError {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, line: number | undefined, problem: string) {
    super('AEGIS_BACKTEST_INPUT', `${file}${line === undefined ? '' : `:${line}`}: ${problem}`);
    this.file = file;
    this.line = line;
  }
}

/** Backtest arguments that make no sense (unknown flag, missing INPUT, ...). */
export class BacktestUsageError extends SentinelError {
  constructor(message: string) {
    super('AEGIS_BACKTEST_USAGE', message);
  }
}

/**
 * A saved detector state that cannot be used: unreadable, corrupt, from another
 * version, or saved under another value of a setting that shapes it (named in `setting`).
 */
export class DetectorStateError extends SentinelError {
  readonly setting: string | undefined;
  constructor(file: string, problem: string, options?: ErrorOptions & { setting?: string }) {
    super('AEGIS_DETECTOR_STATE', `${file}: ${problem}`, options);
    this.setting = options?.setting;
  }
}
