/**
 * Isolation Forest (Liu, Ting and Zhou, 2008), written here rather than taken from
 * ml-isolation-forest, whose trees all see the whole training set (no subsampling),
 * whose c(n) adds Euler's constant once instead of twice, whose train() appends trees
 * on a refit, and which has no seed and no way to save a model. Each tree grows on ψ
 * samples drawn without replacement, to depth ceil(log2 ψ); trees are flat typed
 * arrays, so a model is cheap to score, to post between threads and to save as JSON.
 */
import { mulberry32, type Random } from './prng.js';

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful BST search among n points: the paper's c(n). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * One tree as parallel arrays; node 0 is the root. A leaf has feature -1 and its size.
 * A trained forest holds typed arrays (packForest), cheap to post between threads; a
 * restored one holds the plain arrays of its JSON. Both score alike.
 */
export interface IsolationTree {
  feature: number[] | Int32Array;
  split: number[] | Float64Array;
  left: number[] | Int32Array;
  right: number[] | Int32Array;
  size: number[] | Int32Array;
}

/** The forest with its trees as typed arrays: posted from the worker as a few memcpys, not 250,000 numbers. */
export function packForest(model: ForestModel): ForestModel {
  return {
    ...model,
    trees: model.trees.map((tree) => ({
      feature: Int32Array.from(tree.feature),
      split: Float64Array.from(tree.split),
      left: Int32Array.from(tree.left),
      right: Int32Array.from(tree.right),
      size: Int32Array.from(tree.size),
    })),
  };
}

/** A tree as plain arrays, as it is saved in JSON. */
export function plainTree(tree: IsolationTree): IsolationTree {
  return {
    feature: Array.from(tree.feature),
    split: Array.from(tree.split),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    size: Array.from(tree.size),
  };
}

export interface ForestModel {
  /** Feature names, in vector order. */
  columns: string[];
  trees: IsolationTree[];
  /** ψ actually used (the training set may be smaller than the configured size). */
  subsample: number;
  /** Raw score (2^(-E[h]/c(ψ))) above which a point is anomalous, from the contamination. */
  threshold: number;
}

export interface ForestOptions {
  nEstimators: number;
  subsampleSize: number;
  contamination: number;
  seed: number;
}

/** Trains a fresh forest on `rows` (each of length columns.length). */
export function fitForest(
  rows: readonly (readonly number[])[],
  columns: readonly string[],
  options: ForestOptions,
): ForestModel {
  const values = new Float64Array(rows.length * columns.length);
  rows.forEach((row, r) => {
    for (let c = 0; c < columns.length; c += 1) values[c * rows.length + r] = row[c] as number;
  });
  return fitForestMatrix(values, rows.length, columns, options);
}

/**
 * Trains a fresh forest on a column-major matrix, `values[c * rowCount + r]` for column
 * c of row r: the same forest as fitForest on the same rows, without a JS array per row.
 */
export function fitForestMatrix(
  values: Float64Array,
  rowCount: number,
  columns: readonly string[],
  options: ForestOptions,
): ForestModel {
  const random = mulberry32(options.seed);
  const psi = Math.min(options.subsampleSize, rowCount);
  const maxDepth = Math.ceil(Math.log2(Math.max(2, psi)));
  const indices = Array.from({ length: rowCount }, (_, i) => i);
  const trees: IsolationTree[] = [];
  for (let t = 0; t < options.nEstimators; t += 1) {
    // Partial Fisher-Yates: the first psi entries become a sample without replacement.
    for (let i = 0; i < psi; i += 1) {
      const j = i + Math.floor(random() * (indices.length - i));
      const swap = indices[i] as number;
      indices[i] = indices[j] as number;
      indices[j] = swap;
    }
    trees.push(growTree(values, rowCount, indices.slice(0, psi), columns.length, maxDepth, random));
  }
  const model: ForestModel = { columns: [...columns], trees, subsample: psi, threshold: 0 };
  const row = new Float64Array(columns.length);
  const training: number[] = [];
  for (let r = 0; r < rowCount; r += 1) {
    for (let c = 0; c < columns.length; c += 1) row[c] = values[c * rowCount + r] as number;
    training.push(rawScore(model, row));
  }
  training.sort((a, b) => a - b);
  const rank = Math.min(
    training.length - 1,
    Math.floor((1 - options.contamination) * training.length),
  );
  model.threshold = training[rank] ?? 0.5;
  return model;
}

function growTree(
  values: Float64Array,
  rowCount: number,
  sample: number[],
  dimensions: number,
  maxDepth: number,
  random: Random,
): IsolationTree {
  const tree = {
    feature: [] as number[],
    split: [] as number[],
    left: [] as number[],
    right: [] as number[],
    size: [] as number[],
  };
  const grow = (from: number, to: number, depth: number): number => {
    const node = tree.feature.length;
    tree.feature.push(-1);
    tree.split.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.size.push(to - from);
    if (depth >= maxDepth || to - from <= 1) return node;
    // Try the features from a random one onwards; a feature constant in this node cannot split it.
    const startFeature = Math.floor(random() * dimensions);
    for (let k = 0; k < dimensions; k += 1) {
      const feature = (startFeature + k) % dimensions;
      const base = feature * rowCount;
      let min = Infinity;
      let max = -Infinity;
      for (let i = from; i < to; i += 1) {
        const v = values[base + (sample[i] as number)] as number;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (!(max > min)) continue;
      const split = min + random() * (max - min);
      // Partition sample[from, to) in place: values below the split first.
      let mid = from;
      for (let i = from; i < to; i += 1) {
        const index = sample[i] as number;
        if ((values[base + index] as number) < split) {
          sample[i] = sample[mid] as number;
          sample[mid] = index;
          mid += 1;
        }
      }
      tree.feature[node] = feature;
      tree.split[node] = split;
      tree.left[node] = grow(from, mid, depth + 1);
      tree.right[node] = grow(mid, to, depth + 1);
      return node;
    }
    return node;
  };
  grow(0, sample.length, 0);
  return tree;
}

/** 2^(-E[h(x)]/c(ψ)): about 0.5 for ordinary points, towards 1 for isolated ones. */
export function rawScore(model: ForestModel, row: ArrayLike<number>): number {
  let total = 0;
  for (const tree of model.trees) {
    let node = 0;
    let depth = 0;
    for (;;) {
      const feature = tree.feature[node] as number;
      if (feature < 0) break;
      node =
        (row[feature] as number) < (tree.split[node] as number)
          ? (tree.left[node] as number)
          : (tree.right[node] as number);
      depth += 1;
    }
    total += depth + averagePathLength(tree.size[node] as number);
  }
  const mean = total / Math.max(1, model.trees.length);
  return 2 ** (-mean / averagePathLength(model.subsample));
}

/** The score normalised to the decision threshold: above 1 is anomalous. */
export function normalisedScore(model: ForestModel, row: ArrayLike<number>): number {
  return rawScore(model, row) / model.threshold;
}

/** A fresh seed per refit, derived from the configured one, so successive forests differ reproducibly. */
export function fitSeed(seed: number, fitNumber: number): number {
  return (seed + Math.imul(fitNumber, 0x9e3779b9)) >>> 0;
}
