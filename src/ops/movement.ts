/**
 * Shape ops: reshape/view, permute/transpose, squeeze/unsqueeze, expand, narrow, cat/stack and the
 * row gather `index`. Reshaping shares storage; everything that reorders elements is one call of
 * the backend's `copyStrided` kernel, and its backward is the inverse movement.
 */
import { record } from "../autograd.js";
import type { Backend, Storage } from "../backend/backend.js";
import { type DType, isInteger } from "../dtype.js";
import { broadcastStrides, contiguousStrides, formatShape, normalizeDim, numelOf, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { cast } from "./elementwise.js";
import { sumTo } from "./reduce.js";

/** A dense copy of `t` broadcast to `shape` and converted to `dtype`, as raw storage (no autograd). */
export function denseStorage(t: Tensor, shape: readonly number[], dtype: DType): Storage {
  const typed = t.dtype === dtype ? t : cast(t.detach(), dtype);
  if (sameShape(typed.shape, shape)) return typed.storage;
  const out = t.backend.allocUninitialized(dtype, numelOf(shape));
  t.backend.copyStrided(
    out,
    0,
    contiguousStrides(shape),
    typed.storage,
    0,
    broadcastStrides(typed.shape, shape),
    shape,
  );
  return out;
}

/** 0, 1, …, n-1 laid along dimension `dim` of an `ndim`-d tensor (size 1 elsewhere), int64. */
export function arangeAlong(n: number, dim: number, ndim: number, backend: Backend): Tensor {
  const shape = Array.from({ length: ndim }, (_, i) => (i === dim ? n : 1));
  return new Tensor(
    backend.fromArray(
      "int64",
      Array.from({ length: n }, (_, i) => i),
    ),
    shape,
    backend,
  );
}

export function clone(a: Tensor): Tensor {
  const out = Tensor.uninitialized(a.shape, a.dtype, a.backend);
  a.backend.cast(out.storage, a.storage);
  return record(out, "clone", [a], (g) => [g]);
}

/** Fills in a -1 and checks the element count, with PyTorch's message. */
function resolveShape(shape: readonly number[], numel: number): number[] {
  const inferred = shape.indexOf(-1);
  if (shape.indexOf(-1, inferred + 1) >= 0)
    throw new RangeError(`only one dimension can be inferred (-1) in shape ${formatShape(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < -1) throw new RangeError(`invalid shape dimension ${d} in ${formatShape(shape)}`);
  }
  const known = shape.reduce((n, d) => (d === -1 ? n : n * d), 1);
  const out = [...shape];
  if (inferred >= 0) {
    if (known === 0 || numel % known !== 0)
      throw new RangeError(`shape '${formatShape(shape)}' is invalid for input of size ${numel}`);
    out[inferred] = numel / known;
  }
  if (numelOf(out) !== numel)
    throw new RangeError(`shape '${formatShape(shape)}' is invalid for input of size ${numel}`);
  return out;
}

/** Same storage under a new shape (PyTorch's view on a contiguous tensor). */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const resolved = resolveShape(shape, a.numel());
  const out = new Tensor(a.storage, resolved, a.backend);
  return record(out, "reshape", [a], (g) => [reshape(g, a.shape)]);
}

export function flatten(a: Tensor, startDim = 0, endDim = -1): Tensor {
  if (a.ndim === 0) return reshape(a, [1]);
  const start = normalizeDim(startDim, a.ndim);
  const end = normalizeDim(endDim, a.ndim);
  if (start > end)
    throw new RangeError(`flatten() has invalid args: startDim ${startDim} cannot come after endDim ${endDim}`);
  const middle = a.shape.slice(start, end + 1).reduce((n, d) => n * d, 1);
  return reshape(a, [...a.shape.slice(0, start), middle, ...a.shape.slice(end + 1)]);
}

export function squeeze(a: Tensor, dim?: number): Tensor {
  if (dim === undefined)
    return reshape(
      a,
      a.shape.filter((d) => d !== 1),
    );
  const d = normalizeDim(dim, a.ndim);
  return a.shape[d] === 1
    ? reshape(
        a,
        a.shape.filter((_, i) => i !== d),
      )
    : a;
}

export function unsqueeze(a: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, a.ndim + 1);
  return reshape(a, [...a.shape.slice(0, d), 1, ...a.shape.slice(d)]);
}

/** Reorders dimensions: output dimension i is input dimension dims[i]. */
export function permute(a: Tensor, dims: readonly number[]): Tensor {
  const order = dims.map((d) => normalizeDim(d, a.ndim));
  if (order.length !== a.ndim || new Set(order).size !== a.ndim) {
    throw new RangeError(
      `permute(): dims ${formatShape(dims)} are not a permutation of the ${a.ndim} dimensions of a tensor of shape ${formatShape(a.shape)}`,
    );
  }
  const shape = order.map((d) => a.shape[d]);
  const inStrides = contiguousStrides(a.shape);
  const out = Tensor.uninitialized(shape, a.dtype, a.backend);
  a.backend.copyStrided(
    out.storage,
    0,
    contiguousStrides(shape),
    a.storage,
    0,
    order.map((d) => inStrides[d]),
    shape,
  );
  const inverse = new Array<number>(order.length);
  order.forEach((d, i) => (inverse[d] = i));
  return record(out, "permute", [a], (g) => [permute(g, inverse)]);
}

export function transpose(a: Tensor, dim0: number, dim1: number): Tensor {
  const order = Array.from({ length: a.ndim }, (_, i) => i);
  const [p, q] = [normalizeDim(dim0, a.ndim), normalizeDim(dim1, a.ndim)];
  [order[p], order[q]] = [order[q], order[p]];
  return permute(a, order);
}

/** Repeats size-1 dimensions (and adds leading ones) to reach `shape`; -1 keeps a size. */
export function expand(a: Tensor, shape: readonly number[]): Tensor {
  if (shape.length < a.ndim) {
    throw new RangeError(
      `expand: the number of sizes provided (${shape.length}) must be greater or equal to the number of dimensions in the tensor (${a.ndim})`,
    );
  }
  const lead = shape.length - a.ndim;
  const target = shape.map((d, i) => (d === -1 && i >= lead ? a.shape[i - lead] : d));
  target.forEach((d, i) => {
    const own = i >= lead ? a.shape[i - lead] : 1;
    if (own !== 1 && own !== d) {
      throw new RangeError(
        `The expanded size of the tensor (${d}) must match the existing size (${own}) at non-singleton dimension ${i}. Target sizes: ${formatShape(shape)}. Tensor sizes: ${formatShape(a.shape)}`,
      );
    }
  });
  if (sameShape(target, a.shape)) return a;
  const out = new Tensor(denseStorage(a, target, a.dtype), target, a.backend);
  return record(out, "expand", [a], (g) => [sumTo(g, a.shape)]);
}

/** `length` entries of dimension `dim` starting at `start` (a copy). */
export function narrow(a: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, a.ndim);
  if (start < 0) start += a.shape[d];
  if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length < 0 || start + length > a.shape[d]) {
    throw new RangeError(
      `narrow(): start (${start}) + length (${length}) exceeds dimension size (${a.shape[d]}) of a tensor of shape ${formatShape(a.shape)}`,
    );
  }
  const shape = a.shape.map((s, i) => (i === d ? length : s));
  const strides = contiguousStrides(a.shape);
  const out = Tensor.uninitialized(shape, a.dtype, a.backend);
  a.backend.copyStrided(out.storage, 0, contiguousStrides(shape), a.storage, start * strides[d], strides, shape);
  return record(out, "narrow", [a], (g) => {
    // the gradient of a slice is the slice's gradient written into zeros of the input's shape
    const full = Tensor.empty(a.shape, g.dtype, g.backend);
    g.backend.copyStrided(full.storage, start * strides[d], strides, g.storage, 0, contiguousStrides(shape), shape);
    return [full];
  });
}

/** Joins tensors along an existing dimension. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("cat(): expected a non-empty list of tensors");
  const first = tensors[0];
  const d = normalizeDim(dim, first.ndim);
  tensors.forEach((t, n) => {
    if (t.ndim !== first.ndim) {
      throw new RangeError(
        `cat(): tensors must have the same number of dimensions: got ${formatShape(first.shape)} and ${formatShape(t.shape)} (tensor number ${n})`,
      );
    }
    t.shape.forEach((s, i) => {
      if (i !== d && s !== first.shape[i]) {
        throw new RangeError(
          `Sizes of tensors must match except in dimension ${d}. Expected size ${first.shape[i]} but got size ${s} for tensor number ${n} in the list (shapes ${formatShape(first.shape)} and ${formatShape(t.shape)})`,
        );
      }
    });
    if (t.dtype !== first.dtype)
      throw new TypeError(`cat(): expected all tensors to be ${first.dtype}, tensor number ${n} is ${t.dtype}`);
  });
  const shape = first.shape.map((s, i) => (i === d ? tensors.reduce((n, t) => n + t.shape[d], 0) : s));
  const out = Tensor.uninitialized(shape, first.dtype, first.backend);
  const outStrides = contiguousStrides(shape);
  const offsets: number[] = [];
  let offset = 0;
  for (const t of tensors) {
    offsets.push(offset);
    first.backend.copyStrided(
      out.storage,
      offset * outStrides[d],
      outStrides,
      t.storage,
      0,
      contiguousStrides(t.shape),
      t.shape,
    );
    offset += t.shape[d];
  }
  return record(out, "cat", tensors, (g) => tensors.map((t, i) => narrow(g, d, offsets[i], t.shape[d])));
}

/** Joins tensors of equal shape along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("stack(): expected a non-empty list of tensors");
  tensors.forEach((t, n) => {
    if (!sameShape(t.shape, tensors[0].shape)) {
      throw new RangeError(
        `stack expects each tensor to be equal size, but got ${formatShape(tensors[0].shape)} at entry 0 and ${formatShape(t.shape)} at entry ${n}`,
      );
    }
  });
  const d = normalizeDim(dim, tensors[0].ndim + 1);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** Integer indices as an int64 tensor with negatives wrapped, checked against `size`. */
function checkedIndices(indices: Tensor | readonly number[], size: number, backend: Backend): Tensor {
  if (indices instanceof Tensor && isInteger(indices.dtype)) {
    // checked and wrapped by a kernel, never read into JavaScript (so capture() can replay it)
    const out = Tensor.uninitialized(indices.shape, "int64", backend);
    backend.wrapIndices(
      out.storage,
      indices.storage,
      size,
      true,
      (v) => new RangeError(`index ${v} is out of bounds for dimension 0 with size ${size}`),
    );
    return out;
  }
  const values = indices instanceof Tensor ? indices.toArray() : Array.from(indices);
  let wrapped = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < -size || v >= size) {
      throw new RangeError(`index ${v} is out of bounds for dimension 0 with size ${size}`);
    }
    if (v < 0) {
      values[i] = v + size;
      wrapped = true;
    }
  }
  if (indices instanceof Tensor && isInteger(indices.dtype) && !wrapped) return indices;
  return new Tensor(
    backend.fromArray("int64", values),
    indices instanceof Tensor ? indices.shape : [values.length],
    backend,
  );
}

/** Rows of `a` picked by integer `indices` (PyTorch's `a[indices]`): shape indices.shape + a.shape[1:]. */
export function indexRows(a: Tensor, indices: Tensor | readonly number[]): Tensor {
  if (a.ndim === 0) throw new RangeError("index(): cannot index a 0-d tensor");
  const idx = checkedIndices(indices, a.shape[0], a.backend);
  const rowShape = a.shape.slice(1);
  const rowSize = numelOf(rowShape);
  const out = Tensor.uninitialized([...idx.shape, ...rowShape], a.dtype, a.backend);
  a.backend.gatherRows(out.storage, a.storage, idx.storage, rowSize);
  return record(out, "index", [a], (g) => {
    // rows picked more than once collect the sum of their gradients
    const full = Tensor.empty(a.shape, g.dtype, g.backend);
    g.backend.scatterAddRows(full.storage, g.storage, idx.storage, rowSize);
    return [full];
  });
}
