import { describe, expect, it } from 'vitest';
import { dataTimestamps, windowRows } from '../../../../bench/nab/labels.js';

const csv = [
  'timestamp,value',
  '2014-04-01 00:00:00,1',
  '2014-04-01 00:05:00,2',
  '2014-04-01 00:10:00,3',
  '2014-04-01 00:15:00,4',
  '2014-04-01 00:20:00,5',
].join('\n');
const timestamps = dataTimestamps('a.csv', `${csv}\n`);

describe('windowRows', () => {
  it("finds NAB's microsecond window limits among the data timestamps", () => {
    expect(
      windowRows('f/a.csv', timestamps, [
        ['2014-04-01 00:05:00.000000', '2014-04-01 00:15:00.000000'],
      ]),
    ).toEqual([{ first: 1, last: 3 }]);
  });

  it('refuses a limit that is not a data timestamp', () => {
    expect(() =>
      windowRows('f/a.csv', timestamps, [['2014-04-01 00:06:00', '2014-04-01 00:15:00']]),
    ).toThrow('2014-04-01 00:06:00 is not a timestamp of the file');
  });

  it('refuses overlapping windows', () => {
    expect(() =>
      windowRows('f/a.csv', timestamps, [
        ['2014-04-01 00:00:00', '2014-04-01 00:10:00'],
        ['2014-04-01 00:10:00', '2014-04-01 00:20:00'],
      ]),
    ).toThrow('must not overlap');
  });
});
