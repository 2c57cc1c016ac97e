/**
 * `DataLoader`: mini-batches over a dataset, as `torch.utils.data.DataLoader` with
 * `num_workers=0` (single process), including its use of random numbers, so that the same seed
 * gives PyTorch's batch order and leaves the generators in the same state:
 *
 * 1. Each time iteration starts, PyTorch's loader iterator draws a base seed for worker processes,
 *    `torch.empty((), dtype=torch.int64).random_(generator=loader.generator)`: one 64-bit draw
 *    from the loader's generator or, without one, from the default generator, even when not
 *    shuffling. We have no workers but make the same draw.
 * 2. With `shuffle`, PyTorch's `RandomSampler` starts, at the first batch, by choosing a generator:
 *    the loader's, or without one a new `torch.Generator` seeded with
 *    `int(torch.empty((), dtype=torch.int64).random_().item())` (another 64-bit draw from the
 *    default generator, kept modulo 2^63). It yields `randperm(n, generator)`, and when the
 *    permutation is used up draws a second one of which it keeps nothing (1.13's code slices it
 *    with `[:num_samples % n]`); with an explicit generator that second draw advances it too.
 * 3. `BatchSampler` groups the indices, keeping or dropping (`dropLast`) a last short batch.
 * Each batch is `defaultCollate` of the items, or the dataset's own `getBatch(indices)` when it has
 * one (TensorDataset gathers its rows at once; the result is the same).
 */
import { checkOptions } from "../options.js";
import { defaultGenerator, Generator } from "../random.js";
import { type Collated, defaultCollate } from "./collate.js";
import { asDataset, type Dataset, type DatasetLike } from "./dataset.js";

export interface DataLoaderOptions<T, B> {
  /** items per batch (default 1) */
  batchSize?: number;
  /** reshuffle the items at the start of every pass (default false) */
  shuffle?: boolean;
  /** the generator for shuffling (and the per-pass seed draw); the default generator otherwise */
  generator?: Generator;
  /** drop the last batch if it is short (default false) */
  dropLast?: boolean;
  /** builds a batch from a list of items (default `defaultCollate`) */
  collateFn?: (items: T[]) => B;
}

export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | undefined;
  private readonly collateFn: ((items: T[]) => B) | undefined;

  constructor(dataset: DatasetLike<T>, options: DataLoaderOptions<T, B> = {}) {
    this.dataset = asDataset(dataset);
    const {
      batchSize = 1,
      shuffle = false,
      generator,
      dropLast = false,
      collateFn,
    } = checkOptions("DataLoader", options, ["batchSize", "shuffle", "generator", "dropLast", "collateFn"]);
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new RangeError(`batch_size should be a positive integer value, but got batchSize=${batchSize}`);
    }
    if (typeof shuffle !== "boolean")
      throw new TypeError(`shuffle should be a boolean value, but got shuffle=${String(shuffle)}`);
    if (typeof dropLast !== "boolean")
      throw new TypeError(`drop_last should be a boolean value, but got dropLast=${String(dropLast)}`);
    if (generator !== undefined && !(generator instanceof Generator))
      throw new TypeError("generator must be a Generator");
    if (collateFn !== undefined && typeof collateFn !== "function") throw new TypeError("collateFn must be a function");
    if (shuffle && this.dataset.length <= 0) {
      throw new RangeError(
        `num_samples should be a positive integer value, but got num_samples=${this.dataset.length} (cannot shuffle an empty dataset)`,
      );
    }
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = generator;
    this.collateFn = collateFn;
  }

  /** The number of batches in one pass. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Starts a pass over the data: `for (const [x, y] of loader) ...`. */
  [Symbol.iterator](): Iterator<B> {
    // (1) the worker base seed that PyTorch draws when its iterator is created
    (this.generator ?? defaultGenerator).random64();
    return this.batches();
  }

  private *batches(): IterableIterator<B> {
    const n = this.dataset.length;
    const indices = this.shuffle ? randomIndices(n, this.generator) : sequentialIndices(n);
    for (const batch of batchIndices(indices, this.batchSize, this.dropLast)) yield this.fetch(batch);
  }

  private fetch(indices: number[]): B {
    if (this.collateFn !== undefined) return this.collateFn(indices.map((i) => this.dataset.getItem(i)));
    if (typeof this.dataset.getBatch === "function") return this.dataset.getBatch(indices) as B;
    return defaultCollate(indices.map((i) => this.dataset.getItem(i))) as B;
  }
}

/** PyTorch's `SequentialSampler`. */
function* sequentialIndices(n: number): IterableIterator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** PyTorch 1.13's `RandomSampler` without replacement, for num_samples = n (see the module comment). */
function* randomIndices(n: number, generator: Generator | undefined): IterableIterator<number> {
  let g = generator;
  if (g === undefined) {
    // (2) int64 `random_()` is random64() mod 2^63; `manualSeed` uses only its low 32 bits anyway
    const seed = defaultGenerator.random64() & ((1n << 63n) - 1n);
    g = new Generator().manualSeed(seed);
  }
  yield* g.randperm(n);
  g.randperm(n); // `torch.randperm(n, generator=generator).tolist()[:num_samples % n]`: nothing kept
}

/** PyTorch's `BatchSampler`: consumes the indices the same way, so draws happen at the same time. */
function* batchIndices(indices: Iterator<number>, batchSize: number, dropLast: boolean): IterableIterator<number[]> {
  if (dropLast) {
    for (;;) {
      const batch: number[] = [];
      for (let k = 0; k < batchSize; k++) {
        const next = indices.next();
        if (next.done) return;
        batch.push(next.value);
      }
      yield batch;
    }
  }
  let batch: number[] = [];
  for (let next = indices.next(); !next.done; next = indices.next()) {
    batch.push(next.value);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
