/** Reading a running agent's /metrics in tests. */

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
