import { describe, expect, it } from 'vitest';
import { parseDiskstats } from '../../../../src/collect/host/proc-diskstats.js';
import { parseLoadavg } from '../../../../src/collect/host/proc-loadavg.js';
import { parseMeminfo } from '../../../../src/collect/host/proc-meminfo.js';
import { parseNetDev } from '../../../../src/collect/host/proc-net-dev.js';
import { parseProcStat } from '../../../../src/collect/host/proc-stat.js';

describe('parseProcStat', () => {
  it('reads per-CPU seconds by mode and the boot time, skipping the total line', () => {
    const text = [
      'cpu  300 20 100 5000 10 0 5 1 0 0',
      'cpu0 100 10 50 2500 5 0 2 1 0 0',
      'cpu1 200 10 50 2500 5 0 3 0 0 0',
      'intr 12345',
      'btime 1700000000',
    ].join('\n');
    expect(parseProcStat(text)).toEqual({
      cpus: [
        {
          cpu: '0',
          seconds: {
            user: 1,
            nice: 0.1,
            system: 0.5,
            idle: 25,
            iowait: 0.05,
            irq: 0,
            softirq: 0.02,
            steal: 0.01,
          },
        },
        {
          cpu: '1',
          seconds: {
            user: 2,
            nice: 0.1,
            system: 0.5,
            idle: 25,
            iowait: 0.05,
            irq: 0,
            softirq: 0.03,
            steal: 0,
          },
        },
      ],
      boot_time_seconds: 1700000000,
    });
  });
});

describe('parseMeminfo', () => {
  it('reads kB figures as bytes', () => {
    const text =
      'MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    600 kB\nBuffers:          10 kB\nCached:          300 kB\nSwapCached:        0 kB\nSwapTotal:       500 kB\nSwapFree:        400 kB\nHugePages_Total:   0\n';
    expect(parseMeminfo(text)).toEqual({
      total_bytes: 1_024_000,
      available_bytes: 614_400,
      free_bytes: 204_800,
      buffers_bytes: 10_240,
      cached_bytes: 307_200,
      swap_total_bytes: 512_000,
      swap_free_bytes: 409_600,
    });
  });
});

describe('parseLoadavg', () => {
  it('reads the three averages', () => {
    expect(parseLoadavg('0.52 0.58 0.59 1/389 12345\n')).toEqual({
      load1: 0.52,
      load5: 0.58,
      load15: 0.59,
    });
  });
});

describe('parseNetDev', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0',
    '  eth0: 263794254 7705   1    2    0     0          0         0   730883    5263    3    4    0     0       0          0',
  ].join('\n');

  it('reads receive and transmit counters per device', () => {
    expect(parseNetDev(text, /^$/)).toEqual([
      {
        device: 'lo',
        receive_bytes: 3193,
        receive_packets: 29,
        receive_errs: 0,
        receive_drop: 0,
        transmit_bytes: 3193,
        transmit_packets: 29,
        transmit_errs: 0,
        transmit_drop: 0,
      },
      {
        device: 'eth0',
        receive_bytes: 263794254,
        receive_packets: 7705,
        receive_errs: 1,
        receive_drop: 2,
        transmit_bytes: 730883,
        transmit_packets: 5263,
        transmit_errs: 3,
        transmit_drop: 4,
      },
    ]);
  });

  it('leaves out excluded devices', () => {
    expect(parseNetDev(text, /^lo$/).map((d) => d.device)).toEqual(['eth0']);
  });
});

describe('parseDiskstats', () => {
  const text = [
    '   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
    ' 254       0 vda 33914 6852 1990194 9136 11116 23023 2033192 6937 0 4296 16437 4659 41 136568 306 1562 56',
    ' 254       1 vda1 100 0 800 10 50 0 400 5 0 20 15 0 0 0 0 0 0',
  ].join('\n');

  it('reads sectors as 512-byte units and I/O time in seconds, skipping partitions and loops by default', () => {
    expect(parseDiskstats(text, /^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$/)).toEqual([
      {
        device: 'vda',
        reads_completed: 33914,
        read_bytes: 1990194 * 512,
        writes_completed: 11116,
        written_bytes: 2033192 * 512,
        io_time_seconds: 4.296,
      },
    ]);
  });
});
