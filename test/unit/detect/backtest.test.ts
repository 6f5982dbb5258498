import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectionSchema } from '../../../src/config/detection.js';
import { AnomalyEngine } from '../../../src/detect/anomaly-engine.js';
import { runBacktest } from '../../../src/detect/backtest-command.js';
import { InlineForestTrainer } from '../../../src/detect/forest-trainer.js';
import { silentLogger } from '../../../src/logger.js';
import { latencies, probeSnapshot } from './support.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aegis-backtest-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c) => out.push(String(c)));
  stderr.on('data', (c) => err.push(String(c)));
  const code = await runBacktest(argv, { stdout, stderr });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** The probe latencies as a CSV, one row per second, named like the live series. */
function fixture(values: readonly number[]): string {
  const rows = values.map((v, i) => `${1_700_000_000 + i},${v}`);
  return `timestamp,probe_duration_seconds:api\n${rows.join('\n')}\n`;
}

describe('backtest', () => {
  it('scores a CSV exactly as the live engine scores the same values, row for row', async () => {
    // Long enough for the forest to be fitted and refitted.
    const values = latencies(2700, 2500);
    const input = join(dir, 'probe.csv');
    await writeFile(input, fixture(values));
    const { code, stdout } = await run([input]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'timestamp,probe_duration_seconds:api,onset,composite,range,shape,seasonal,iforest',
    );

    const registry = new Registry();
    const engine = new AnomalyEngine({
      config: detectionSchema.parse({}),
      registry,
      logger: silentLogger(),
      trainer: new InlineForestTrainer(),
    });
    const live = values.map((v, i) => {
      const hostOnset = engine
        .observe(probeSnapshot(i, v))
        .some((event) => event.kind === 'onset' && event.series.name === 'host');
      return [hostOnset ? '1' : '0', String(Number(engine.status().host_score.toPrecision(6)))];
    });
    await engine.stop();
    expect(lines.slice(1).map((line) => line.split(',').slice(2, 4))).toEqual(live);
    // The decision: one onset, at the step's second row (rows a second apart confirm a
    // breach of the range with the next row).
    const onsets = lines.slice(1).flatMap((line, i) => (line.split(',')[2] === '1' ? [i] : []));
    expect(onsets).toEqual([2501]);
  });

  it('writes NAB files (timestamp,value,anomaly_score: the decision) mirroring a folder tree', async () => {
    await mkdir(join(dir, 'in', 'a'), { recursive: true });
    await writeFile(join(dir, 'in', 'a', 'one.csv'), fixture(latencies(400, 350)));
    await writeFile(join(dir, 'in', 'two.csv'), fixture(latencies(60, 100)));
    const { code, stderr } = await run([
      join(dir, 'in'),
      '--output',
      join(dir, 'out'),
      '--format',
      'nab',
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/\[2\/2\]/);
    const one = (await readFile(join(dir, 'out', 'a', 'one.csv'), 'utf8')).trim().split('\n');
    expect(one[0]).toBe('timestamp,value,anomaly_score');
    expect(one).toHaveLength(401);
    const scores = one.slice(1).map((line) => Number(line.split(',')[2]));
    expect(scores.flatMap((s, i) => (s === 0 ? [] : [[i, s]]))).toEqual([[351, 1]]);
    expect(await readFile(join(dir, 'out', 'two.csv'), 'utf8')).toMatch(
      /^timestamp,value,anomaly_score\n/,
    );
  });

  it.each([
    ['an empty file', '', 'empty.csv:1: empty file'],
    ['a missing timestamp column', 'time,value\n1,2\n', 'bad.csv:1: missing column "timestamp"'],
    ['no value column', 'timestamp\n1\n', 'bad.csv:1: expected at least one value column'],
    [
      'an unparsable number',
      'timestamp,value\n1,2\n2,3\n3,abc\n',
      'bad.csv:4: unparsable number "abc" in column "value"',
    ],
    [
      'an unparsable timestamp',
      'timestamp,value\n1,2\nyesterday,3\n',
      'bad.csv:3: unparsable timestamp "yesterday"',
    ],
    ['a short row', 'timestamp,a,b\n1,2,3\n2,3\n', 'bad.csv:3: expected 3 fields, found 2'],
  ])('stops on %s, naming the file and line', async (_case, content, message) => {
    const name = content === '' ? 'empty.csv' : 'bad.csv';
    const input = join(dir, name);
    await writeFile(input, content);
    const { code, stderr } = await run([input]);
    expect(code).toBe(1);
    expect(stderr).toContain(message);
    expect(stderr).toContain(input);
  });

  it('reads empty cells and NaN as gaps, not errors', async () => {
    const input = join(dir, 'gaps.csv');
    await writeFile(
      input,
      'timestamp,value\n2014-07-01 00:00:00,1\n2014-07-01 00:05:00,\n2014-07-01 00:10:00,NaN\n',
    );
    const { code, stdout } = await run([input]);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').slice(1)).toEqual([
      '2014-07-01 00:00:00,1,0,0,0,0,0,0',
      '2014-07-01 00:05:00,,0,0,0,0,0,0',
      '2014-07-01 00:10:00,NaN,0,0,0,0,0,0',
    ]);
  });

  it('rejects bad arguments with usage', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['x.csv', '--format', 'json'])).stderr).toMatch(
      /--format must be nab or scores/,
    );
    expect((await run([join(dir, 'missing.csv')])).stderr).toMatch(
      /missing.csv: no such file or folder/,
    );
  });
});
