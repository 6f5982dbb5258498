/**
 * The forest's training set: the host's feature rows of the last `capacity` rounds,
 * stored column by column, one Float64Array ring per series (8 bytes a row, never a
 * Map per row). A row holds the series that had a feature that round; a series absent
 * from a row counts as 0 there. The columns of the set are the series present in at
 * least one row still held, so a series that is gone leaves the set (and frees its
 * ring) once its last row has aged out.
 *
 * `matrix()` copies the rows, oldest first, into one column-major Float64Array, with
 * the columns sorted by name: the same values, in the same order, as a row-major array
 * built from the rows would hold, a memcpy per column, and transferable to the worker.
 * `matrixSlices()` makes the same matrix a column at a time, so that the live agent can
 * spread the copy (16 MB at 1,000 series) over turns of the event loop.
 *
 * Both, and the incremental save, read the rows held when they began without copying
 * them up front: a push that would overwrite one of those rows keeps it first.
 */

export interface TrainingMatrix {
  /** values[c * rows + r]: column c of row r, rows oldest first. */
  values: Float64Array<ArrayBuffer>;
  rows: number;
  /** Series names, sorted. */
  columns: string[];
}

export interface TrainingColumnState {
  /** The column's values in the rows held, oldest first (0 where the series was absent). */
  values: number[];
  /** Rows since the series was last present: 0 when it is in the newest row. */
  absent_for: number;
}

export interface TrainingRowsState {
  /** Rows held. */
  rows: number;
  columns: Record<string, TrainingColumnState>;
}

interface Column {
  values: Float64Array<ArrayBuffer>;
  /** The row (counted from the first ever pushed) in which the series was last present. */
  lastPresent: number;
}

/**
 * The rows held when a save or a matrix began, kept without copying them: the columns
 * of that moment, and each of those rows that a later push overwrote, stashed just
 * before.
 */
interface Frozen {
  /** The first row held then, and the number held. */
  first: number;
  rows: number;
  names: string[];
  columns: Column[];
  /** Overwritten rows: row → values in `columns` order. */
  stash: Map<number, Float64Array>;
}

/** Spare room in a fresh matrix buffer, so that a few new series do not need a new one. */
const HEADROOM = 1.25;

export class TrainingRows {
  readonly capacity: number;
  readonly #columns = new Map<string, Column>();
  /** Rows ever pushed; row r sits at slot r % capacity of every column. */
  #pushed = 0;
  /** The saves and matrices being made. */
  readonly #frozen = new Set<Frozen>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Rows held. */
  get size(): number {
    return Math.min(this.#pushed, this.capacity);
  }

  /** Column names currently held, in no particular order. */
  columnNames(): IterableIterator<string> {
    return this.#columns.keys();
  }

  /** Appends one row (series name → feature), dropping the oldest when full. */
  push(features: ReadonlyMap<string, number>): void {
    const row = this.#pushed;
    const slot = row % this.capacity;
    const overwritten = row - this.capacity;
    for (const frozen of this.#frozen) {
      if (overwritten < frozen.first || overwritten >= frozen.first + frozen.rows) continue;
      // A row a save or a matrix in progress still has to read: keep it.
      const kept = new Float64Array(frozen.columns.length);
      frozen.columns.forEach((column, c) => (kept[c] = column.values[slot] as number));
      frozen.stash.set(overwritten, kept);
    }
    // The row leaving the window is the last of a column not present since: drop it.
    const oldestKept = row - this.capacity + 1;
    for (const [name, column] of this.#columns) {
      if (column.lastPresent < oldestKept && !features.has(name)) this.#columns.delete(name);
      else column.values[slot] = 0;
    }
    for (const [name, value] of features) {
      let column = this.#columns.get(name);
      if (!column) {
        column = { values: new Float64Array(this.capacity), lastPresent: row };
        this.#columns.set(name, column);
      }
      column.values[slot] = value;
      column.lastPresent = row;
    }
    this.#pushed = row + 1;
  }

  /**
   * The rows held, oldest first, as one column-major matrix with the columns sorted,
   * written into `buffer` when it is large enough (a matrix given back by the trainer).
   */
  matrix(buffer?: ArrayBuffer): TrainingMatrix {
    const slices = this.matrixSlices(buffer);
    for (;;) {
      const step = slices.next();
      if (step.done) return step.value;
    }
  }

  /**
   * The same matrix as matrix(), of the rows held now, made a column per step: the
   * caller may push rows between steps. Returning the generator early abandons it.
   */
  *matrixSlices(buffer?: ArrayBuffer): Generator<void, TrainingMatrix> {
    const frozen = this.#freeze();
    try {
      const { rows, columns } = frozen;
      const length = columns.length * rows;
      // A fresh buffer costs its first touch (page faults), so it is sized for the full
      // window and some more series, and handed back after each fit.
      const values =
        buffer && buffer.byteLength >= length * Float64Array.BYTES_PER_ELEMENT
          ? new Float64Array(buffer, 0, length)
          : new Float64Array(
              new ArrayBuffer(
                Math.ceil(columns.length * HEADROOM) *
                  this.capacity *
                  Float64Array.BYTES_PER_ELEMENT,
              ),
              0,
              length,
            );
      const start = frozen.first % this.capacity;
      const head = Math.min(rows, this.capacity - start);
      for (let c = 0; c < columns.length; c += 1) {
        if (c > 0) yield;
        const ring = (columns[c] as Column).values;
        const offset = c * rows;
        values.set(ring.subarray(start, start + head), offset);
        if (head < rows) values.set(ring.subarray(0, rows - head), offset + head);
        for (const [row, kept] of frozen.stash)
          values[offset + row - frozen.first] = kept[c] as number;
      }
      return { values, rows, columns: frozen.names };
    } finally {
      this.#frozen.delete(frozen);
    }
  }

  /** Starts keeping the rows held now, sorted by column name, until the caller deletes it. */
  #freeze(): Frozen {
    const names = [...this.#columns.keys()].sort();
    const rows = this.size;
    const frozen: Frozen = {
      first: this.#pushed - rows,
      rows,
      names,
      columns: names.map((name) => this.#columns.get(name) as Column),
      stash: new Map(),
    };
    this.#frozen.add(frozen);
    return frozen;
  }

  /** A copy of what is held, to save. */
  save(): TrainingRowsState {
    const { values, rows, columns } = this.matrix();
    const state: TrainingRowsState = { rows, columns: {} };
    columns.forEach((name, c) => {
      state.columns[name] = this.#columnState(name, values.subarray(c * rows, (c + 1) * rows));
    });
    return state;
  }

  #columnState(name: string, values: Float64Array): TrainingColumnState {
    const column = this.#columns.get(name) as Column;
    return { values: Array.from(values), absent_for: this.#pushed - 1 - column.lastPresent };
  }

  /**
   * The state as JSON text in pieces, a column a piece: a save can yield between them.
   * The text is of the rows held when the first piece is taken, however many rows are
   * pushed meanwhile (see Frozen), until it is finished or abandoned.
   */
  *saveText(): Generator<string> {
    const frozen = this.#freeze();
    try {
      const { rows, columns, names } = frozen;
      const last = this.#pushed - 1;
      const absent = columns.map((column) => last - column.lastPresent);
      yield `{"rows":${rows},"columns":{`;
      for (let c = 0; c < columns.length; c += 1) {
        const column = columns[c] as Column;
        const values = new Array<number>(rows);
        for (let i = 0; i < rows; i += 1) {
          const row = frozen.first + i;
          const kept = frozen.stash.get(row);
          values[i] = (kept ? kept[c] : column.values[row % this.capacity]) as number;
        }
        const state: TrainingColumnState = { values, absent_for: absent[c] as number };
        yield `${c > 0 ? ',' : ''}${JSON.stringify(names[c])}:${JSON.stringify(state)}`;
      }
      yield '}}';
    } finally {
      this.#frozen.delete(frozen);
    }
  }

  restore(state: TrainingRowsState): void {
    this.#columns.clear();
    const rows = Math.min(state.rows, this.capacity);
    // Held rows become rows 0 .. rows-1, so slot = chronological index.
    this.#pushed = rows;
    for (const [name, saved] of Object.entries(state.columns)) {
      const values = new Float64Array(this.capacity);
      values.set(saved.values.slice(-rows));
      this.#columns.set(name, { values, lastPresent: rows - 1 - saved.absent_for });
    }
  }
}
