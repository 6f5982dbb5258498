/**
 * Reading a running agent's /metrics in tests: one series by its exact text, or the
 * whole exposition parsed into samples (enough of the text format for gauges and counters).
 */

/** The value of one series (`name{labels}` exactly as exposed), or undefined when absent. */
export function sample(exposition: string, series: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Scrapes `url` until `accept` holds, and returns that scrape; fails with the last one. */
export async function scrapeUntil(
  url: string,
  accept: (exposition: string) => boolean,
  timeoutMs = 5000,
  intervalMs = 50,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await (await fetch(url)).text();
    if (accept(body)) return body;
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms; last scrape:\n${body}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export interface ExpositionSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): ExpositionSample[] {
  const samples: ExpositionSample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key as string] = (raw as string).replace(/\\(.)/g, (_, c: string) =>
        c === 'n' ? '\n' : c,
      );
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample named `name` whose labels include `labels`; undefined if none. */
export function sampleValue(
  samples: ExpositionSample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )?.value;
}
