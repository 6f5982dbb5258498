/**
 * A fixed-capacity ring of numbers in one typed array: the detectors' history costs 8
 * (or 4) bytes a sample, never an object per sample. Saved oldest first, so a restored
 * ring is the same ring.
 */
export class FloatRing {
  readonly capacity: number;
  readonly #items: Float64Array | Float32Array;
  /** Samples ever pushed; the newest sits at (#pushed - 1) % capacity. */
  #pushed = 0;

  constructor(capacity: number, precision: 'double' | 'single' = 'double') {
    this.capacity = capacity;
    this.#items = precision === 'double' ? new Float64Array(capacity) : new Float32Array(capacity);
  }

  get size(): number {
    return Math.min(this.#pushed, this.capacity);
  }

  push(value: number): void {
    this.#items[this.#pushed % this.capacity] = value;
    this.#pushed += 1;
  }

  /** The value `age` pushes ago: 0 is the newest. The caller keeps age below size. */
  ago(age: number): number {
    return this.#items[(this.#pushed - 1 - age) % this.capacity] as number;
  }

  /** The largest value held; 0 when empty. */
  max(): number {
    let largest = 0;
    for (let i = 0, n = this.size; i < n; i += 1) {
      const value = this.#items[i] as number;
      if (value > largest) largest = value;
    }
    return largest;
  }

  /** The values, oldest first. */
  save(): number[] {
    const out = new Array<number>(this.size);
    for (let age = this.size - 1, i = 0; age >= 0; age -= 1, i += 1) out[i] = this.ago(age);
    return out;
  }

  /** Refills from saved values, keeping the newest `capacity` of them. */
  restore(values: readonly number[]): void {
    this.#pushed = 0;
    for (const value of values.slice(-this.capacity)) this.push(value);
  }
}
