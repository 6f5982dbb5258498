/**
 * Fixed-capacity sliding windows with O(1) moments and O(log n) order statistics, so
 * a detector update never rescans its history. The window contents are kept in
 * arrival order so that state can be saved and the structure rebuilt exactly.
 */

/** A ring buffer of the last `capacity` numbers, oldest first. */
class RingBuffer {
  readonly capacity: number;
  #items: Float64Array;
  #start = 0;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#items = new Float64Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends a value; returns the value it evicted, or undefined while filling. */
  push(value: number): number | undefined {
    if (this.#size < this.capacity) {
      this.#items[(this.#start + this.#size) % this.capacity] = value;
      this.#size += 1;
      return undefined;
    }
    const evicted = this.#items[this.#start] as number;
    this.#items[this.#start] = value;
    this.#start = (this.#start + 1) % this.capacity;
    return evicted;
  }

  /** The i-th value, 0 being the oldest. */
  at(index: number): number {
    return this.#items[(this.#start + index) % this.capacity] as number;
  }

  toArray(): number[] {
    const out = new Array<number>(this.#size);
    for (let i = 0; i < this.#size; i += 1) out[i] = this.at(i);
    return out;
  }
}

/** Running mean and variance of the last `capacity` values, O(1) per update. */
export class RollingMoments {
  readonly #ring: RingBuffer;
  // Sums are taken around a shift (the first value seen) so that large offsets such as
  // byte counters do not lose the variance to cancellation.
  #shift: number | undefined;
  #sum = 0;
  #sumSquares = 0;

  constructor(capacity: number) {
    this.#ring = new RingBuffer(capacity);
  }

  get size(): number {
    return this.#ring.size;
  }

  push(value: number): void {
    this.#shift ??= value;
    const d = value - this.#shift;
    this.#sum += d;
    this.#sumSquares += d * d;
    const evicted = this.#ring.push(value);
    if (evicted !== undefined) {
      const e = evicted - this.#shift;
      this.#sum -= e;
      this.#sumSquares -= e * e;
    }
  }

  mean(): number {
    return (this.#shift ?? 0) + this.#sum / Math.max(1, this.#ring.size);
  }

  /** Sample standard deviation; 0 for fewer than two values or a constant window. */
  std(): number {
    const n = this.#ring.size;
    if (n < 2) return 0;
    const variance = (this.#sumSquares - (this.#sum * this.#sum) / n) / (n - 1);
    return variance > 0 ? Math.sqrt(variance) : 0;
  }

  /** The window and the exact running sums, so a restored window computes bit-identical figures. */
  save(): MomentsState {
    return {
      values: this.#ring.toArray(),
      shift: this.#shift ?? null,
      sum: this.#sum,
      sum_squares: this.#sumSquares,
    };
  }

  restore(state: MomentsState): void {
    for (const value of state.values) this.#ring.push(value);
    this.#shift = state.shift ?? undefined;
    this.#sum = state.sum;
    this.#sumSquares = state.sum_squares;
  }
}

export interface MomentsState {
  values: number[];
  shift: number | null;
  sum: number;
  sum_squares: number;
}

interface HeapNode {
  value: number;
  /** 0: in the low (max-)heap, 1: in the high (min-)heap. */
  side: 0 | 1;
  index: number;
}

/**
 * A binary heap whose nodes know their position, so any node can be removed in
 * O(log n) when it slides out of the window (no lazy deletion, no rescans).
 */
class IndexedHeap {
  readonly nodes: HeapNode[] = [];
  readonly #before: (a: number, b: number) => boolean;
  readonly #side: 0 | 1;

  constructor(side: 0 | 1) {
    this.#side = side;
    this.#before = side === 0 ? (a, b) => a > b : (a, b) => a < b;
  }

  get size(): number {
    return this.nodes.length;
  }

  top(): HeapNode | undefined {
    return this.nodes[0];
  }

  insert(node: HeapNode): void {
    node.side = this.#side;
    node.index = this.nodes.length;
    this.nodes.push(node);
    this.#up(node.index);
  }

  remove(node: HeapNode): void {
    const last = this.nodes.pop() as HeapNode;
    if (last === node) return;
    const at = node.index;
    this.nodes[at] = last;
    last.index = at;
    this.#up(at);
    this.#down(last.index);
  }

  pop(): HeapNode | undefined {
    const top = this.nodes[0];
    if (top) this.remove(top);
    return top;
  }

  #swap(i: number, j: number): void {
    const a = this.nodes[i] as HeapNode;
    const b = this.nodes[j] as HeapNode;
    this.nodes[i] = b;
    this.nodes[j] = a;
    a.index = j;
    b.index = i;
  }

  #up(start: number): void {
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#before((this.nodes[i] as HeapNode).value, (this.nodes[parent] as HeapNode).value))
        return;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(start: number): void {
    let i = start;
    const n = this.nodes.length;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let best = i;
      if (
        left < n &&
        this.#before((this.nodes[left] as HeapNode).value, (this.nodes[best] as HeapNode).value)
      )
        best = left;
      if (
        right < n &&
        this.#before((this.nodes[right] as HeapNode).value, (this.nodes[best] as HeapNode).value)
      )
        best = right;
      if (best === i) return;
      this.#swap(i, best);
      i = best;
    }
  }
}

/**
 * The q-quantile (lower order statistic of rank floor(q·(n-1))) of the last
 * `capacity` values, O(log n) per update: the low heap holds the rank+1 smallest
 * values, so the quantile is its top.
 */
export class RollingQuantile {
  readonly q: number;
  readonly capacity: number;
  readonly #low = new IndexedHeap(0);
  readonly #high = new IndexedHeap(1);
  readonly #order: HeapNode[] = [];
  #oldest = 0;

  constructor(capacity: number, q: number) {
    this.capacity = capacity;
    this.q = q;
  }

  get size(): number {
    return this.#low.size + this.#high.size;
  }

  push(value: number): void {
    const node: HeapNode = { value, side: 0, index: 0 };
    if (this.size === this.capacity) {
      const evicted = this.#order[this.#oldest] as HeapNode;
      (evicted.side === 0 ? this.#low : this.#high).remove(evicted);
      this.#order[this.#oldest] = node;
      this.#oldest = (this.#oldest + 1) % this.capacity;
    } else {
      this.#order.push(node);
    }
    // Keep every low value <= every high value; the eviction may have emptied either side.
    const lowTop = this.#low.top();
    const highTop = this.#high.top();
    const goesLow = lowTop
      ? value <= lowTop.value
      : highTop === undefined || value <= highTop.value;
    (goesLow ? this.#low : this.#high).insert(node);
    this.#rebalance();
  }

  #rebalance(): void {
    const wanted = Math.floor(this.q * (this.size - 1)) + 1;
    while (this.#low.size > wanted) this.#high.insert(this.#low.pop() as HeapNode);
    while (this.#low.size < wanted && this.#high.size > 0)
      this.#low.insert(this.#high.pop() as HeapNode);
  }

  /** The quantile, NaN while empty. */
  value(): number {
    return this.#low.top()?.value ?? Number.NaN;
  }

  /** Window contents, oldest first. */
  values(): number[] {
    const n = this.#order.length;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i += 1) out[i] = (this.#order[(this.#oldest + i) % n] as HeapNode).value;
    return out;
  }
}
