/** bench:agent's lines: a figure beside its reference, their ratio, and the targets met or not. */

export interface Spread {
  min: number;
  median: number;
  max: number;
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    min: sorted[0] ?? Number.NaN,
    median: sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

export const ms = (seconds: number) => `${(seconds * 1000).toFixed(seconds < 0.01 ? 2 : 1)} ms`;
export const pct = (share: number) => `${(share * 100).toFixed(2)} %`;
export const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** `min / median / max` of a spread, each formatted. */
export function range(s: Spread, format: (value: number) => string): string {
  return s.min === s.max
    ? format(s.median)
    : `${format(s.min)} / ${format(s.median)} / ${format(s.max)}`;
}

export interface Target {
  name: string;
  met: boolean;
  figure: string;
}

export class Report {
  readonly targets: Target[] = [];

  /** Prints `label: agent … | reference … | ratio r (target <= limit) PASS`; records the target. */
  ratio(label: string, agent: string, reference: string, ratio: number, limit?: number): void {
    let line = `${label.padEnd(34)} ${agent.padEnd(30)} ${reference.padEnd(32)} ratio ${ratio.toFixed(2)}`;
    if (limit !== undefined) {
      const met = ratio <= limit;
      line += `  (target <= ${limit}) ${met ? 'PASS' : 'FAIL'}`;
      this.targets.push({
        name: label,
        met,
        figure: `ratio ${ratio.toFixed(2)}, target <= ${limit}`,
      });
    }
    console.log(line);
  }

  /** Prints `label: figure (target) PASS`; records the target. */
  check(label: string, figure: string, met: boolean, target: string): void {
    console.log(`${label.padEnd(34)} ${figure}  (target ${target}) ${met ? 'PASS' : 'FAIL'}`);
    this.targets.push({ name: label, met, figure: `${figure}, target ${target}` });
  }

  summary(): void {
    const failed = this.targets.filter(({ met }) => !met);
    console.log(
      `\ntargets: ${this.targets.length - failed.length} of ${this.targets.length} met` +
        (failed.length > 0 ? `; FAIL: ${failed.map(({ name }) => name).join('; ')}` : ''),
    );
  }
}
