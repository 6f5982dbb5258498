import { describe, expect, it } from 'vitest';
import { matchResultFile, parseAnomalyScores } from '../../../../bench/nab/results.js';

const keys = ['real/nyc_taxi.csv', 'art/art_noisy.csv', 'art/daily_art_noisy.csv'];

describe('matchResultFile', () => {
  it('matches a result named like the data file or NAB-style DETECTOR_FILE.csv', () => {
    expect(matchResultFile('real/nyc_taxi.csv', keys)).toBe('real/nyc_taxi.csv');
    expect(matchResultFile('real/numenta_nyc_taxi.csv', keys)).toBe('real/nyc_taxi.csv');
  });

  it('prefers the longest data file name that fits', () => {
    expect(matchResultFile('art/ARTime_daily_art_noisy.csv', keys)).toBe('art/daily_art_noisy.csv');
    expect(matchResultFile('art/ARTime_art_noisy.csv', keys)).toBe('art/art_noisy.csv');
  });

  it('needs the same folder and a whole-name suffix', () => {
    expect(matchResultFile('art/nyc_taxi.csv', keys)).toBeUndefined();
    expect(matchResultFile('real/xnyc_taxi.csv', keys)).toBeUndefined();
  });
});

describe('parseAnomalyScores', () => {
  it('reads the anomaly_score column by name, whatever else the file holds', () => {
    const text =
      'timestamp,value,raw_score,anomaly_score,label\n2014-01-01 00:00:00,1,0.3,0.25,0\n';
    expect(parseAnomalyScores('r.csv', text)).toEqual([0.25]);
  });

  it('refuses a file without the column or with an unreadable score', () => {
    expect(() => parseAnomalyScores('r.csv', 'timestamp,value\n')).toThrow('no "anomaly_score"');
    expect(() => parseAnomalyScores('r.csv', 'timestamp,anomaly_score\nx,\n')).toThrow('r.csv:2');
  });
});
