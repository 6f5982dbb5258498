/**
 * The programs bench:live runs as child processes, one mode each:
 *
 *   busy SECONDS                      spin one CPU
 *   cron CPU_SECONDS BYTES FILE       a cron job: spin, then write BYTES to FILE, fsync, delete
 *   leak MIB_PER_S BOUND_MIB SECONDS  allocate and touch memory steadily up to a bound, then hold
 *   disk FILE CHUNK_MIB MAX_MIB MIB_PER_S SECONDS
 *                                     write and fsync chunks, wrapping at MAX_MIB, at most
 *                                     MIB_PER_S (0: as fast as the disk takes them)
 *
 * Every mode ends by itself after SECONDS, so nothing outlives a bench that was killed.
 */
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const MIB = 1024 * 1024;

function spin(untilMs: number): void {
  let x = 0;
  while (Date.now() < untilMs) for (let i = 0; i < 100_000; i += 1) x = (x * 31 + i) % 1_000_003;
  if (x === -1) console.log(x);
}

/** Spins in slices, so a signal is handled between them. */
async function busy(seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    spin(Math.min(end, Date.now() + 200));
    await sleep(0);
  }
}

function writeAndSync(file: string, bytes: number, chunk: Buffer, wrapAt = Infinity): void {
  const fd = openSync(file, 'w');
  try {
    let written = 0;
    while (written < bytes) {
      const size = Math.min(chunk.length, bytes - written);
      writeSync(fd, chunk, 0, size, written % wrapAt);
      written += size;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function cron(cpuSeconds: number, bytes: number, file: string): Promise<void> {
  await busy(cpuSeconds);
  try {
    writeAndSync(file, bytes, Buffer.alloc(Math.min(bytes, MIB), 0x5a));
  } finally {
    rmSync(file, { force: true });
  }
}

async function leak(mibPerSecond: number, boundMib: number, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  const held: Buffer[] = [];
  const stepMib = mibPerSecond / 10;
  let allocatedMib = 0;
  while (Date.now() < end) {
    if (allocatedMib + stepMib <= boundMib) {
      // allocUnsafe + fill: every page is written, so it is resident, not just reserved.
      const block = Buffer.allocUnsafe(Math.round(stepMib * MIB));
      block.fill(held.length % 251);
      held.push(block);
      allocatedMib += stepMib;
    }
    await sleep(100);
  }
}

async function disk(
  file: string,
  chunkMib: number,
  maxMib: number,
  mibPerSecond: number,
  seconds: number,
) {
  const start = Date.now();
  const end = start + seconds * 1000;
  const chunk = Buffer.alloc(chunkMib * MIB, 0xa5);
  const fd = openSync(file, 'w');
  try {
    let offset = 0;
    let writtenMib = 0;
    while (Date.now() < end) {
      writeSync(fd, chunk, 0, chunk.length, offset);
      fsyncSync(fd);
      offset = (offset + chunk.length) % (maxMib * MIB);
      writtenMib += chunkMib;
      // Ahead of the rate: wait until the time it allows for what is written.
      const dueMs = mibPerSecond > 0 ? start + (writtenMib / mibPerSecond) * 1000 : 0;
      await sleep(Math.max(0, Math.min(dueMs, end) - Date.now()));
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
const num = (index: number): number => {
  const value = Number(args[index]);
  if (!Number.isFinite(value))
    throw new Error(`loads ${mode}: argument ${index + 1} is not a number`);
  return value;
};
const str = (index: number): string => {
  const value = args[index];
  if (value === undefined) throw new Error(`loads ${mode}: argument ${index + 1} is missing`);
  return value;
};

switch (mode) {
  case 'busy':
    await busy(num(0));
    break;
  case 'cron':
    await cron(num(0), num(1), str(2));
    break;
  case 'leak':
    await leak(num(0), num(1), num(2));
    break;
  case 'disk':
    await disk(str(0), num(1), num(2), num(3), num(4));
    break;
  default:
    console.error(`loads: unknown mode ${String(mode)}`);
    process.exit(2);
}
