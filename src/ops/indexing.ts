/**
 * Indexing: PyTorch's `x[i]`, `x[:, 1:3]`, `x[::-1]`, `x[mask]`, `gather`, `scatter`, `index_select`,
 * `masked_select`, `masked_fill`, `tril`/`triu`, `flip`, `repeat`, `split`/`chunk`.
 *
 * Almost all of them are one differentiable primitive, `take`: pick elements of `a` by flat
 * (row-major) position into a new tensor of any shape,
 *
 *     take(a, positions, shape)[j] = a.flatten()[positions[j]]
 *
 * which is the backend's row gather with rows of one element. Its gradient is the adjoint: every
 * output gradient is added back at the position it was read from (the row scatter-add), so an
 * element read twice (`repeat`, `index_select` with repeated indices) collects both gradients.
 * Each op below only works out `positions` in plain integer arithmetic, so it needs no kernel of
 * its own and runs on every backend.
 */
import { record } from "../autograd.js";
import { isInteger } from "../dtype.js";
import { broadcastShapes, contiguousStrides, formatShape, normalizeDim, numelOf, sameShape } from "../shape.js";
import { Tensor, type TensorLike } from "../tensor.js";
import { add, compare, where } from "./elementwise.js";
import { denseStorage, expand, narrow, reshape, squeeze } from "./movement.js";

/** Elements of `a` at flat `positions` (each in 0..numel-1), laid out as `shape`. Differentiable. */
export function take(a: Tensor, positions: ArrayLike<number>, shape: readonly number[]): Tensor {
  if (numelOf(shape) !== positions.length)
    throw new RangeError(`take(): ${positions.length} positions for shape ${formatShape(shape)}`);
  const backend = a.backend;
  const idx = backend.fromArray("int32", positions);
  const out = Tensor.empty(shape, a.dtype, backend);
  backend.gatherRows(out.storage, a.storage, idx, 1);
  return record(out, "take", [a], (g) => {
    const full = Tensor.empty(a.shape, g.dtype, backend);
    backend.scatterAddRows(full.storage, g.storage, idx, 1);
    return [full];
  });
}

/** Integer values of an index tensor, which must be int64 (as in PyTorch) or int32. */
function indexValues(
  index: Tensor | readonly number[],
  what: string,
): { values: ArrayLike<number>; shape: readonly number[] } {
  if (!(index instanceof Tensor)) {
    index.forEach((v) => {
      if (!Number.isInteger(v)) throw new TypeError(`${what}: indices must be integers, got ${v}`);
    });
    return { values: index, shape: [index.length] };
  }
  if (!isInteger(index.dtype))
    throw new TypeError(
      `${what}: expected an integer index tensor (int64 or int32), got ${index.dtype}; convert with .long()`,
    );
  return { values: index.toArray(), shape: index.shape };
}

/** `i` wrapped into 0..size-1 (negative counts from the end), with PyTorch's error when out of range. */
function wrapIndex(i: number, size: number, dim: number, what: string): number {
  if (!Number.isInteger(i) || i < -size || i >= size) {
    throw new RangeError(`${what}: index ${i} is out of bounds for dimension ${dim} with size ${size}`);
  }
  return i < 0 ? i + size : i;
}

/** x[..., i, ...]: index `i` of dimension `dim`, which disappears (PyTorch's `select`). */
export function select(a: Tensor, dim: number, i: number): Tensor {
  if (a.ndim === 0) throw new RangeError("select() cannot be applied to a 0-dim tensor.");
  const d = normalizeDim(dim, a.ndim);
  const at = wrapIndex(i, a.shape[d], d, "select()");
  return squeeze(narrow(a, d, at, 1), d);
}

/**
 * Python's slice `start:end:step` along `dim`: `start`/`end` may be negative or out of range (they
 * are clamped, as in Python), `end` undefined means "to the end", `step` positive.
 */
export function slice(a: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = normalizeDim(dim, a.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new RangeError(`slice step must be positive, got ${step}`);
  const size = a.shape[d];
  const clampTo = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const from = clampTo(start ?? 0);
  const to = Math.max(clampTo(end ?? size), from);
  if (step === 1) return narrow(a, d, from, to - from);
  const picked: number[] = [];
  for (let i = from; i < to; i += step) picked.push(i);
  return indexSelect(a, d, picked);
}

/** Positions of `a` read when dimension `d` is indexed by `picked` (the rest kept whole). */
function positionsAlong(shape: readonly number[], d: number, picked: ArrayLike<number>): number[] {
  const outer = numelOf(shape.slice(0, d));
  const inner = numelOf(shape.slice(d + 1));
  const size = shape[d];
  const positions = new Array<number>(outer * picked.length * inner);
  let n = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < picked.length; j++) {
      const base = (o * size + picked[j]) * inner;
      for (let i = 0; i < inner; i++) positions[n++] = base + i;
    }
  }
  return positions;
}

/** Entries `index` (1-D) of dimension `dim` (PyTorch's `index_select`, `x[:, idx]`). */
export function indexSelect(a: Tensor, dim: number, index: Tensor | readonly number[]): Tensor {
  const d = normalizeDim(dim, Math.max(a.ndim, 1));
  const { values, shape } = indexValues(index, "index_select()");
  if (shape.length > 1)
    throw new RangeError(`index_select(): Index is supposed to be a vector, got shape ${formatShape(shape)}`);
  if (a.ndim === 0) {
    Array.from(values).forEach((v) => wrapIndex(v, 1, 0, "index_select()"));
    return take(
      a,
      Array.from(values, () => 0),
      shape,
    );
  }
  const picked = Array.from(values, (v) => wrapIndex(v, a.shape[d], d, "index_select()"));
  return take(
    a,
    positionsAlong(a.shape, d, picked),
    a.shape.map((s, i) => (i === d ? picked.length : s)),
  );
}

/** Reverses the order of elements along each of `dims`. */
export function flip(a: Tensor, dims: readonly number[]): Tensor {
  const flipped = new Set(dims.map((d) => normalizeDim(d, a.ndim)));
  if (flipped.size !== dims.length) throw new RangeError(`flip(): dims ${formatShape(dims)} has a repeated dimension`);
  const strides = contiguousStrides(a.shape);
  const positions = new Array<number>(a.numel());
  const idx = new Array<number>(a.ndim).fill(0);
  for (let n = 0; n < positions.length; n++) {
    let p = 0;
    for (let d = 0; d < a.ndim; d++) p += (flipped.has(d) ? a.shape[d] - 1 - idx[d] : idx[d]) * strides[d];
    positions[n] = p;
    for (let d = a.ndim - 1; d >= 0; d--) {
      if (++idx[d] < a.shape[d]) break;
      idx[d] = 0;
    }
  }
  return take(a, positions, a.shape);
}

/**
 * out[i][j][k] = a[i][index[i][j][k]][k] for dim = 1 (and likewise for other dims): each output
 * element reads the input at the index tensor's value along `dim` and its own position elsewhere.
 * `index` has a's number of dimensions and sizes no larger than a's except along `dim`.
 */
export function gather(a: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim(dim, Math.max(a.ndim, 1));
  const { values, shape } = indexValues(index, "gather()");
  checkIndexShape("gather()", a.shape, shape, d, null);
  return take(a, scatterPositions(a.shape, shape, values, d, "gather()"), shape);
}

/** PyTorch's rule for gather/scatter: same rank, and index.size(k) ≤ self.size(k) (and ≤ src.size(k)) for k ≠ dim. */
function checkIndexShape(
  what: string,
  self: readonly number[],
  index: readonly number[],
  d: number,
  src: readonly number[] | null,
): void {
  const rank = Math.max(self.length, 1);
  if (index.length !== rank && !(index.length <= 1 && self.length <= 1)) {
    throw new RangeError(
      `${what}: Index tensor must have the same number of dimensions as input tensor (index ${formatShape(index)}, input ${formatShape(self)})`,
    );
  }
  index.forEach((s, k) => {
    if (k !== d && s > (self[k] ?? 1)) {
      throw new RangeError(
        `${what}: Size does not match at dimension ${k} expected index ${formatShape(index)} to be smaller than self ${formatShape(self)} apart from dimension ${d}`,
      );
    }
    if (src && s > (src[k] ?? 1)) {
      throw new RangeError(
        `${what}: Expected index ${formatShape(index)} to be smaller than self ${formatShape(self)} apart from dimension ${d} and to be smaller size than src ${formatShape(src)}`,
      );
    }
  });
}

/** For each element of an index tensor: the flat position in `target` it addresses along `d`. */
function scatterPositions(
  target: readonly number[],
  indexShape: readonly number[],
  values: ArrayLike<number>,
  d: number,
  what: string,
): number[] {
  const strides = contiguousStrides(target);
  const positions = new Array<number>(values.length);
  const idx = new Array<number>(indexShape.length).fill(0);
  for (let n = 0; n < values.length; n++) {
    let p = 0;
    for (let k = 0; k < indexShape.length; k++) {
      const v = k === d ? wrapIndex(values[n], target[k] ?? 1, k, what) : idx[k];
      p += v * (strides[k] ?? 0);
    }
    positions[n] = p;
    for (let k = indexShape.length - 1; k >= 0; k--) {
      if (++idx[k] < indexShape[k]) break;
      idx[k] = 0;
    }
  }
  return positions;
}

/** The elements of `src` at the positions of index's elements (src may be larger than index). */
function srcAtIndexShape(src: Tensor, indexShape: readonly number[]): Tensor {
  if (sameShape(src.shape, indexShape)) return src;
  let out = src;
  indexShape.forEach((s, k) => (out = narrow(out, k, 0, s)));
  return out;
}

/** Adds up `values` at flat positions of a zero tensor of `shape`: the adjoint of `take`. Differentiable in `values`. */
export function put(values: Tensor, positions: ArrayLike<number>, shape: readonly number[]): Tensor {
  const backend = values.backend;
  const idx = backend.fromArray("int32", positions);
  const out = Tensor.empty(shape, values.dtype, backend);
  backend.scatterAddRows(out.storage, values.storage, idx, 1);
  return record(out, "put", [values], (g) => [take(g, positions, values.shape)]);
}

/** out = a, then out[…index[i][j]…] += src[i][j] along `dim` (PyTorch's `scatter_add`). */
export function scatterAdd(a: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim(dim, Math.max(a.ndim, 1));
  const { values, shape } = indexValues(index, "scatter_add()");
  checkIndexShape("scatter_add()", a.shape, shape, d, src.shape);
  if (src.dtype !== a.dtype)
    throw new TypeError(`scatter_add(): Expected self.dtype to be equal to src.dtype (${a.dtype} vs ${src.dtype})`);
  return add(
    a,
    put(srcAtIndexShape(src, shape), scatterPositions(a.shape, shape, values, d, "scatter_add()"), a.shape),
  );
}

/**
 * out = a, then out[…index[i][j]…] = src[i][j] along `dim` (PyTorch's `scatter`); `src` may be a
 * number. Where an index repeats, the last write wins, as in PyTorch's CPU loop; the overwritten
 * elements of `a` (and the losing src elements) get no gradient.
 */
export function scatter(a: Tensor, dim: number, index: Tensor, src: TensorLike): Tensor {
  const d = normalizeDim(dim, Math.max(a.ndim, 1));
  const { values, shape } = indexValues(index, "scatter()");
  const srcTensor = typeof src === "number" ? null : src;
  checkIndexShape("scatter()", a.shape, shape, d, srcTensor?.shape ?? null);
  const positions = scatterPositions(a.shape, shape, values, d, "scatter()");
  const winner = new Map<number, number>(); // target position -> index of the element written last
  positions.forEach((p, n) => winner.set(p, n));
  const hit = new Array<number>(a.numel()).fill(0);
  for (const p of winner.keys()) hit[p] = 1;
  const mask = new Tensor(a.backend.fromArray(a.dtype, hit), a.shape, a.backend);
  let written: TensorLike;
  if (srcTensor === null) written = src as number;
  else {
    if (srcTensor.dtype !== a.dtype)
      throw new TypeError(`scatter(): Expected self.dtype to be equal to src.dtype (${a.dtype} vs ${srcTensor.dtype})`);
    const from = [...winner.values()];
    const picked = take(reshape(srcAtIndexShape(srcTensor, shape), [-1]), from, [from.length]);
    written = put(picked, [...winner.keys()], a.shape);
  }
  return where(mask, written, a);
}

/** The elements where `mask` is non-zero, as a 1-D tensor (mask and a broadcast together). */
export function maskedSelect(a: Tensor, mask: Tensor): Tensor {
  const shape = broadcastShapes(a.shape, mask.shape);
  const source = sameShape(a.shape, shape) ? a : expand(a, shape);
  const m = new Tensor(denseStorage(mask, shape, mask.dtype), shape, a.backend).toArray();
  const positions: number[] = [];
  for (let i = 0; i < m.length; i++) if (m[i] !== 0) positions.push(i);
  return take(source, positions, [positions.length]);
}

/** A copy of `a` with `value` where `mask` is non-zero (PyTorch's out-of-place `masked_fill`). */
export function maskedFill(a: Tensor, mask: Tensor, value: TensorLike): Tensor {
  const shape = broadcastShapes(a.shape, mask.shape);
  if (!sameShape(shape, a.shape))
    throw new RangeError(
      `masked_fill(): mask of shape ${formatShape(mask.shape)} cannot be broadcast to the tensor's shape ${formatShape(a.shape)}`,
    );
  if (value instanceof Tensor && value.ndim !== 0) {
    throw new RangeError(
      `masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ${value.ndim} dimension(s).`,
    );
  }
  return where(compare("ne", mask, 0), value, a);
}

/** Keeps the elements on and below (tril) or above (triu) the `diagonal`-th diagonal of the last two dims. */
function triangle(a: Tensor, diagonal: number, lower: boolean): Tensor {
  if (a.ndim < 2)
    throw new RangeError(
      `${lower ? "tril" : "triu"}: input tensor must have at least 2 dimensions, got shape ${formatShape(a.shape)}`,
    );
  const [rows, cols] = a.shape.slice(-2);
  const keep = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) keep[i * cols + j] = (lower ? j - i <= diagonal : j - i >= diagonal) ? 1 : 0;
  const mask = new Tensor(a.backend.fromArray("bool", keep), [rows, cols], a.backend);
  return where(mask, a, 0);
}
export const tril = (a: Tensor, diagonal = 0): Tensor => triangle(a, diagonal, true);
export const triu = (a: Tensor, diagonal = 0): Tensor => triangle(a, diagonal, false);

/** Tiles the tensor: `repeat(2, 3)` on [a, b] gives [2a, 3b] (leading sizes add dimensions). */
export function repeat(a: Tensor, sizes: readonly number[]): Tensor {
  if (sizes.length < a.ndim) {
    throw new RangeError(
      `Number of dimensions of repeat dims (${sizes.length}) can not be smaller than number of dimensions of tensor (${a.ndim})`,
    );
  }
  sizes.forEach((r) => {
    if (!Number.isInteger(r) || r < 0)
      throw new RangeError(`repeat(): sizes must be non-negative integers, got ${formatShape(sizes)}`);
  });
  const own = [...new Array<number>(sizes.length - a.ndim).fill(1), ...a.shape];
  // [a, b] → [1, a, 1, b] → expand to [r0, a, r1, b] → [r0·a, r1·b]; expand's backward sums the copies
  const interleaved = own.flatMap((s) => [1, s]);
  const expanded = expand(
    reshape(a, interleaved),
    own.flatMap((s, i) => [sizes[i], s]),
  );
  return reshape(
    expanded,
    own.map((s, i) => s * sizes[i]),
  );
}

/** Pieces of `splitSize` along `dim` (the last may be smaller), or pieces of the listed sizes. */
export function split(a: Tensor, splitSize: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim(dim, a.ndim);
  const size = a.shape[d];
  let sizes: number[];
  if (typeof splitSize === "number") {
    if (!Number.isInteger(splitSize) || splitSize <= 0)
      throw new RangeError(`split(): split_size must be a positive integer, got ${splitSize}`);
    sizes = [];
    for (let start = 0; start < size; start += splitSize) sizes.push(Math.min(splitSize, size - start));
    if (size === 0) sizes.push(0);
  } else {
    sizes = [...splitSize];
    const total = sizes.reduce((n, s) => n + s, 0);
    if (total !== size) {
      throw new RangeError(
        `split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${formatShape(sizes)}`,
      );
    }
  }
  let start = 0;
  return sizes.map((s) => {
    const piece = narrow(a, d, start, s);
    start += s;
    return piece;
  });
}

/** `chunks` pieces of equal size ⌈size / chunks⌉ along `dim` (fewer if the size runs out), as PyTorch. */
export function chunk(a: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    throw new RangeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = normalizeDim(dim, a.ndim);
  return split(a, Math.max(Math.ceil(a.shape[d] / chunks), 1), d);
}

/**
 * Rows of `a` where a boolean mask over its leading dimensions is true (PyTorch's `x[mask]`): a bool
 * tensor, or nested arrays of JS booleans.
 */
export function rowsWhere(a: Tensor, mask: Tensor | boolean[] | unknown[]): Tensor {
  if (mask instanceof Tensor) {
    if (mask.dtype !== "bool")
      throw new TypeError(`index(mask): a mask tensor must be bool, got ${mask.dtype}; integer tensors index rows`);
    return rowsWhereFlags(a, mask.shape, mask.toArray());
  }
  const maskShape: number[] = [];
  let level: unknown = mask;
  while (Array.isArray(level)) {
    maskShape.push(level.length);
    level = level[0];
  }
  const flags = (mask as unknown[]).flat(Infinity as 1) as unknown[];
  if (flags.length !== numelOf(maskShape) || flags.some((f) => typeof f !== "boolean")) {
    throw new TypeError("index(mask): a mask is a rectangular nested array of booleans");
  }
  return rowsWhereFlags(a, maskShape, flags as boolean[]);
}

function rowsWhereFlags(a: Tensor, maskShape: readonly number[], flags: ArrayLike<number | boolean>): Tensor {
  if (maskShape.length > a.ndim || maskShape.some((s, i) => s !== a.shape[i])) {
    throw new RangeError(
      `The shape of the mask ${formatShape(maskShape)} does not match the shape of the indexed tensor ${formatShape(a.shape)}`,
    );
  }
  const rowShape = a.shape.slice(maskShape.length);
  const rowSize = numelOf(rowShape);
  const positions: number[] = [];
  for (let r = 0; r < flags.length; r++) {
    if (flags[r]) for (let i = 0; i < rowSize; i++) positions.push(r * rowSize + i);
  }
  return take(a, positions, [positions.length / Math.max(rowSize, 1), ...rowShape]);
}
