/**
 * Datasets, as `torch.utils.data`: anything with a `length` and `getItem(i)` (PyTorch's `__len__`
 * and `__getitem__`), `TensorDataset` over tensors that share their first dimension, `Subset`, and
 * `randomSplit`, which splits with the same permutation as PyTorch for the same generator state.
 */
import { defaultGenerator, type Generator } from "../random.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { Collated } from "./collate.js";

/** A map-style dataset: items 0..length-1. */
export interface Dataset<T> {
  readonly length: number;
  getItem(index: number): T;
  /**
   * Optional fast path for `DataLoader`: the collated batch of these items, equal to
   * `defaultCollate(indices.map(i => getItem(i)))` but built at once (TensorDataset gathers rows).
   */
  getBatch?(indices: readonly number[]): Collated<T>;
}

/** A dataset, or a plain array used as one (PyTorch accepts any sequence). */
export type DatasetLike<T> = Dataset<T> | readonly T[];

/** The dataset itself, or an array wrapped as a dataset. */
export function asDataset<T>(data: DatasetLike<T>): Dataset<T> {
  if (Array.isArray(data)) {
    const items = data as readonly T[];
    return {
      get length() {
        return items.length;
      },
      getItem: (i: number) => items[checkIndex(i, items.length, "array")],
    };
  }
  const dataset = data as Dataset<T>;
  if (
    dataset === null ||
    typeof dataset !== "object" ||
    typeof dataset.getItem !== "function" ||
    !Number.isInteger(dataset.length)
  ) {
    throw new TypeError("expected a dataset (an object with a length and getItem(index)) or an array");
  }
  return dataset;
}

/** Wraps a negative index once (as Python sequences do) and checks the range. */
function checkIndex(index: number, length: number, what: string): number {
  if (!Number.isInteger(index) || index < -length || index >= length) {
    throw new RangeError(`index ${index} is out of range for a ${what} of ${length} items`);
  }
  return index < 0 ? index + length : index;
}

/**
 * Rows of tensors that share their first dimension: item i is `[t0[i], t1[i], ...]`, as PyTorch's
 * `TensorDataset(x, y)`. `DataLoader` gathers whole batches from it with one `index` per tensor.
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new TypeError("TensorDataset needs at least one tensor");
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} is not a tensor`);
      if (t.ndim === 0)
        throw new RangeError(`TensorDataset: tensor ${i} is 0-d; each tensor needs a first dimension to index`);
    });
    if (tensors.some((t) => t.shape[0] !== tensors[0].shape[0])) {
      throw new RangeError(
        `Size mismatch between tensors (first dimensions: ${tensors.map((t) => formatShape(t.shape)).join(", ")})`,
      );
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex(index, this.length, "TensorDataset");
    return this.tensors.map((t) => t.index([i]).reshape(t.shape.slice(1)));
  }

  getBatch(indices: readonly number[]): Tensor[] {
    return this.tensors.map((t) => t.index(indices as number[]));
  }
}

/** The items of `dataset` at `indices`, in that order (PyTorch's `Subset`). */
export class Subset<T> implements Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: readonly number[];
  readonly getBatch?: (indices: readonly number[]) => Collated<T>;

  constructor(dataset: DatasetLike<T>, indices: ArrayLike<number>) {
    this.dataset = asDataset(dataset);
    this.indices = Array.from(indices);
    const inner = this.dataset;
    if (typeof inner.getBatch === "function") {
      this.getBatch = (batch) =>
        inner.getBatch!(batch.map((i) => this.indices[checkIndex(i, this.indices.length, "Subset")]));
    }
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    return this.dataset.getItem(this.indices[checkIndex(index, this.indices.length, "Subset")]);
  }
}

/**
 * Splits a dataset at random into non-overlapping subsets, as PyTorch 1.13's `random_split`.
 * `lengths` are item counts summing to the dataset's length, or fractions summing to 1: each
 * fraction gets floor(fraction · length) items, and the remainder is handed out one item at a time
 * to the splits in order. The items are shuffled with `randperm(length, generator)` (the default
 * generator unless given), so the same seed gives PyTorch's split.
 */
export function randomSplit<T>(
  dataset: DatasetLike<T>,
  lengths: readonly number[],
  generator: Generator = defaultGenerator,
): Subset<T>[] {
  const data = asDataset(dataset);
  const n = data.length;
  let counts = [...lengths];
  if (counts.some((v) => typeof v !== "number" || Number.isNaN(v)))
    throw new TypeError(`randomSplit: lengths must be numbers, got ${JSON.stringify(lengths)}`);
  const total = counts.reduce((a, b) => a + b, 0);
  if (isClose(total, 1) && total <= 1) {
    counts = counts.map((fraction, i) => {
      if (fraction < 0 || fraction > 1) throw new RangeError(`Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * fraction);
    });
    const remainder = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) counts[i % counts.length] += 1;
  } else if (counts.some((c) => !Number.isInteger(c) || c < 0)) {
    throw new RangeError(
      `randomSplit: lengths must be non-negative integers or fractions summing to 1, got ${JSON.stringify(lengths)}`,
    );
  }
  if (counts.reduce((a, b) => a + b, 0) !== n) {
    throw new RangeError(
      `Sum of input lengths does not equal the length of the input dataset! (lengths ${JSON.stringify(counts)}, dataset of ${n})`,
    );
  }
  const indices = Array.from(generator.randperm(n));
  const subsets: Subset<T>[] = [];
  let offset = 0;
  for (const count of counts) {
    subsets.push(new Subset(data, indices.slice(offset, offset + count)));
    offset += count;
  }
  return subsets;
}

/** Python's `math.isclose(a, b)` with its defaults (relative tolerance 1e-9). */
function isClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
}
