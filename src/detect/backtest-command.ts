/**
 * `aegis-sentinel backtest INPUT [--output OUT] [--format nab]`: scores one CSV, or
 * every CSV below a folder (the output folder mirrors the tree). Without --output the
 * scores of a single file go to stdout.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { detectionSchema } from '../config/detection.js';
import { SentinelError } from '../errors.js';
import { renderOutput, scoreTable, type BacktestFormat } from './backtest.js';
import { parseCsv } from './csv.js';
import { BacktestInputError, BacktestUsageError } from './detect-errors.js';

interface BacktestArgs {
  input: string;
  output: string | undefined;
  format: BacktestFormat;
}

const USAGE = 'usage: aegis-sentinel backtest INPUT [--output OUT] [--format nab]';

function parseArgs(argv: readonly string[]): BacktestArgs {
  let input: string | undefined;
  let output: string | undefined;
  let format: BacktestFormat = 'scores';
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--')
      ? (arg.split(/=(.*)/s) as [string, string?])
      : [arg];
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) throw new BacktestUsageError(`${flag} needs a value\n${USAGE}`);
      i += 1;
      return next;
    };
    if (flag === '--output' || flag === '-o') output = takeValue();
    else if (flag === '--format') {
      const value = takeValue();
      if (value !== 'nab' && value !== 'scores')
        throw new BacktestUsageError(
          `--format must be nab or scores, got ${JSON.stringify(value)}`,
        );
      format = value;
    } else if (flag.startsWith('-')) throw new BacktestUsageError(`unknown flag ${flag}\n${USAGE}`);
    else if (input === undefined) input = arg;
    else throw new BacktestUsageError(`unexpected argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  if (input === undefined) throw new BacktestUsageError(`missing INPUT\n${USAGE}`);
  return { input, output, format };
}

async function listCsvFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.csv'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

export async function runBacktest(
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = {
    stdout: process.stdout,
    stderr: process.stderr,
  },
): Promise<number> {
  try {
    const args = parseArgs(argv);
    const config = detectionSchema.parse({});
    const info = await stat(args.input).catch(() => {
      throw new BacktestInputError(args.input, undefined, 'no such file or folder');
    });
    const files = info.isDirectory() ? await listCsvFiles(args.input) : [args.input];
    if (info.isDirectory() && args.output === undefined)
      throw new BacktestUsageError(`INPUT is a folder: --output OUT is required\n${USAGE}`);
    if (files.length === 0)
      throw new BacktestInputError(args.input, undefined, 'no .csv file below this folder');
    for (const [index, file] of files.entries()) {
      const started = Date.now();
      const table = parseCsv(file, await readFile(file, 'utf8'));
      const scores = scoreTable(table, config, (done) =>
        io.stderr.write(`backtest: ${file}: ${done} of ${table.rows.length} rows\n`),
      );
      const text = renderOutput(table, scores, args.format);
      if (args.output === undefined) io.stdout.write(text);
      else {
        const target = info.isDirectory()
          ? join(args.output, relative(args.input, file))
          : args.output;
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, text);
      }
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      if (files.length > 1 || args.output !== undefined)
        io.stderr.write(
          `backtest: [${index + 1}/${files.length}] ${file}: ${table.rows.length} rows, ${Math.round(table.rows.length / seconds)} rows/s\n`,
        );
    }
    return 0;
  } catch (error) {
    if (error instanceof SentinelError) {
      io.stderr.write(`aegis-sentinel backtest: ${error.message}\n`);
      return error instanceof BacktestUsageError ? 2 : 1;
    }
    throw error;
  }
}
