/**
 * Turns every `factor` samples into one, keeping a spike: the block's maximum or
 * minimum, whichever lies further from the running level, unless it is within 10 % of
 * the block's mean, which then stands for the block. The shape tests look at these
 * blocks, so that their windows span minutes to hours while a one-sample spike still
 * shows.
 */
export interface DownsamplerState {
  block: number[];
  level: number | null;
}

export class Downsampler {
  readonly factor: number;
  #block: number[] = [];
  #level: number | null = null;

  constructor(factor: number) {
    this.factor = factor;
  }

  /** Takes one sample; returns the block's value when this sample completes a block. */
  push(value: number): number | undefined {
    this.#block.push(value);
    if (this.#block.length < this.factor) return undefined;
    let sum = 0;
    let low = Number.POSITIVE_INFINITY;
    let high = Number.NEGATIVE_INFINITY;
    for (const v of this.#block) {
      sum += v;
      if (v < low) low = v;
      if (v > high) high = v;
    }
    this.#block = [];
    const mean = sum / this.factor;
    const level = this.#level === null ? mean : (this.#level + mean) / 2;
    this.#level = level;
    const extreme = Math.abs(high - level) >= Math.abs(low - level) ? high : low;
    return Math.abs(extreme - mean) < 0.1 * Math.abs(mean) ? mean : extreme;
  }

  save(): DownsamplerState {
    return { block: [...this.#block], level: this.#level };
  }

  restore(state: DownsamplerState): void {
    this.#block = [...state.block];
    this.#level = state.level;
  }
}
