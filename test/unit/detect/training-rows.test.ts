import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/detect/prng.js';
import { TrainingRows, type TrainingMatrix } from '../../../src/detect/training-rows.js';

/**
 * The training set as DetectorCore kept it before TrainingRows: a list of the last
 * `capacity` rows, each a Map, the columns the sorted union of their keys, and a
 * series absent from a row 0 in it.
 */
class ListOfRows {
  readonly #capacity: number;
  readonly #rows: Map<string, number>[] = [];

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  push(row: Map<string, number>): void {
    this.#rows.push(row);
    if (this.#rows.length > this.#capacity) this.#rows.shift();
  }

  rows(): { columns: string[]; rows: number[][] } {
    const columns = [...new Set(this.#rows.flatMap((row) => [...row.keys()]))].sort();
    return { columns, rows: this.#rows.map((row) => columns.map((c) => row.get(c) ?? 0)) };
  }
}

/** The matrix's rows, row-major, for comparison. */
function rowsOf({ values, rows, columns }: TrainingMatrix): number[][] {
  return Array.from({ length: rows }, (_, r) => columns.map((_, c) => values[c * rows + r]!));
}

/** Rows of series that come and go (a container restarted, a disk unmounted), with gaps. */
function* randomRows(count: number, seed: number): Generator<Map<string, number>> {
  const random = mulberry32(seed);
  for (let i = 0; i < count; i += 1) {
    const row = new Map<string, number>();
    for (let s = 0; s < 12; s += 1) {
      // Series s exists in rounds [start, end) and misses a value now and then.
      const start = s * 7;
      const end = s % 3 === 0 ? start + 25 : Number.POSITIVE_INFINITY;
      if (i >= start && i < end && random() > 0.1) row.set(`series-${s}`, random() * 2 - 0.5);
    }
    if (row.size > 0) yield row;
  }
}

describe('TrainingRows', () => {
  it('returns the rows and columns, in the same order, that the list of rows did', () => {
    const store = new TrainingRows(16);
    const list = new ListOfRows(16);
    let buffer: ArrayBuffer | undefined;
    for (const row of randomRows(120, 3)) {
      store.push(row);
      list.push(row);
      const matrix = store.matrix(buffer);
      const expected = list.rows();
      expect(matrix.columns).toEqual(expected.columns);
      expect(rowsOf(matrix)).toEqual(expected.rows);
      expect(store.size).toBe(expected.rows.length);
      // A buffer handed back by the trainer is reused when large enough.
      buffer = matrix.values.buffer;
    }
  });

  it('drops a series once its last row has aged out', () => {
    const store = new TrainingRows(3);
    store.push(new Map([['gone', 1]]));
    store.push(new Map([['kept', 2]]));
    store.push(new Map([['kept', 3]]));
    expect(store.matrix().columns).toEqual(['gone', 'kept']);
    store.push(new Map([['kept', 4]]));
    expect(store.matrix().columns).toEqual(['kept']);
    expect([...store.matrix().values]).toEqual([2, 3, 4]);
  });

  it('restores what it saved, as JSON or as text in pieces, and goes on alike', () => {
    const rows = [...randomRows(90, 8)];
    const original = new TrainingRows(20);
    rows.slice(0, 60).forEach((row) => original.push(row));
    const saved = JSON.parse(JSON.stringify(original.save()));
    expect(JSON.parse([...original.saveText()].join(''))).toEqual(saved);
    const restored = new TrainingRows(20);
    restored.restore(saved);
    expect(restored.matrix()).toEqual(original.matrix());
    for (const row of rows.slice(60)) {
      original.push(row);
      restored.push(row);
      expect(restored.matrix()).toEqual(original.matrix());
    }
  });

  it('saves the rows of the moment its text was begun, whatever is pushed while it is taken', () => {
    const store = new TrainingRows(4);
    for (let i = 0; i < 6; i += 1)
      store.push(
        new Map([
          ['a', i],
          ['b', -i],
        ]),
      );
    const before = JSON.parse(JSON.stringify(store.save()));
    const pieces = store.saveText();
    const text = [pieces.next().value as string, pieces.next().value as string];
    // Every row held is overwritten, and 'a' and 'b' age out, while the text is taken.
    for (let i = 0; i < 5; i += 1) store.push(new Map([['c', 10 + i]]));
    for (const piece of pieces) text.push(piece);
    expect(JSON.parse(text.join(''))).toEqual(before);
    // Once finished, the next save is of the rows then.
    expect(JSON.parse([...store.saveText()].join(''))).toEqual(
      JSON.parse(JSON.stringify(store.save())),
    );
  });

  it('makes the matrix of the moment its slices began, while rows are pushed and a save is taken', () => {
    const store = new TrainingRows(50);
    const rows = [...randomRows(400, 7)];
    rows.slice(0, 120).forEach((row) => store.push(row));
    const expected = store.matrix();
    const saved = JSON.parse(JSON.stringify(store.save()));
    const slices = store.matrixSlices();
    const pieces = store.saveText();
    // Both are of the rows held when their first step is taken.
    const text = [pieces.next().value as string];
    let pushed = 120;
    let step = slices.next();
    // Ten rows pushed after every column copied and every piece taken: the window turns
    // over and series come and go before either is finished.
    while (!step.done) {
      for (let i = 0; i < 10; i += 1) store.push(rows[pushed++]!);
      const piece = pieces.next();
      if (!piece.done) text.push(piece.value);
      step = slices.next();
    }
    for (const piece of pieces) text.push(piece);
    expect(pushed).toBeGreaterThan(120 + 50);
    expect(step.value.columns).toEqual(expected.columns);
    expect(rowsOf(step.value)).toEqual(rowsOf(expected));
    expect(JSON.parse(text.join(''))).toEqual(saved);
    // Nothing is kept for them once both are finished: the next matrix is of the rows now.
    const list = new ListOfRows(50);
    rows.slice(0, pushed).forEach((row) => list.push(row));
    expect(rowsOf(store.matrix())).toEqual(list.rows().rows);
  });
});
