/**
 * Reductions: sum, mean, max/min, argmax/argmin, variance; and `sumTo`, which undoes broadcasting
 * on the way back. Every reduction is the backend's `reduce` kernel applied to one axis at a time,
 * with the tensor seen as [outer, size, inner] around that axis.
 */
import { record } from "../autograd.js";
import type { ReduceOp } from "../backend/backend.js";
import { isFloating } from "../dtype.js";
import { formatShape, normalizeDim, sameShape, splitAt } from "../shape.js";
import { Tensor } from "../tensor.js";
import { cast, compare, div, mul, sub } from "./elementwise.js";
import { arangeAlong, expand, reshape } from "./movement.js";

/** The dims to reduce, normalised, unique and ascending; all of them for undefined/null. */
function reducedDims(dim: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (dim === undefined || dim === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dim === "number" ? [dim] : dim;
  const dims = [...new Set(list.map((d) => normalizeDim(d, ndim)))];
  return dims.sort((p, q) => p - q);
}

/** The shape after reducing `dims`, with size-1 placeholders (keepdim) or without. */
function reducedShape(shape: readonly number[], dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** Applies one reduce kernel along each of `dims` in turn (keeping them as size 1). */
function reduceAlong(op: ReduceOp, a: Tensor, dims: readonly number[]): Tensor {
  // indices are int64; integer and bool sums are int64, as in PyTorch (the int32 kernel writes them)
  const outDtype = op === "argmax" || op === "argmin" || (op === "sum" && !isFloating(a.dtype)) ? "int64" : a.dtype;
  if (dims.length === a.ndim) {
    // everything at once: one line of numel() elements
    const out = Tensor.uninitialized(
      a.shape.map(() => 1),
      outDtype,
      a.backend,
    );
    a.backend.reduce(op, out.storage, a.storage, 1, a.numel(), 1);
    return out;
  }
  let current = a;
  for (const d of dims) {
    const [outer, size, inner] = splitAt(current.shape, d);
    const out = Tensor.uninitialized(
      current.shape.map((s, i) => (i === d ? 1 : s)),
      outDtype,
      a.backend,
    );
    a.backend.reduce(op, out.storage, current.storage, outer, size, inner);
    current = out;
  }
  return current;
}

export function sum(a: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  const dims = reducedDims(dim, a.ndim);
  const kept = reduceAlong("sum", a, dims);
  const out = reshape(kept.detach(), reducedShape(a.shape, dims, keepdim));
  // every input element contributed once: its gradient is the output's, spread back over the axes
  return record(out, "sum", [a], (g) => [expand(reshape(g, kept.shape), a.shape)]);
}

export function mean(a: Tensor, dim?: number | readonly number[] | null, keepdim = false): Tensor {
  if (!isFloating(a.dtype)) {
    throw new TypeError(`mean(): could not infer output dtype. Input dtype must be floating point, got ${a.dtype}`);
  }
  const dims = reducedDims(dim, a.ndim);
  const count = dims.reduce((n, d) => n * a.shape[d], 1);
  return div(sum(a, dims, keepdim), count);
}

/**
 * max/min over everything or along `dim`. Along a dim the gradient goes to the element the
 * matching argmax/argmin picked; over everything it is shared evenly among ties (PyTorch 1.13).
 */
export function extreme(op: "max" | "min", a: Tensor, dim: number | null | undefined, keepdim: boolean): Tensor {
  checkNonEmptyReduction(op, a, dim);
  const dims = reducedDims(dim, a.ndim);
  const kept = reduceAlong(op, a, dims);
  const out = reshape(kept.detach(), reducedShape(a.shape, dims, keepdim));
  return record(
    out,
    op,
    [a],
    (g) => {
      const gKept = reshape(g, kept.shape);
      if (dim === undefined || dim === null) {
        const ties = cast(compare("eq", a, kept), g.dtype);
        return [div(mul(gKept, ties), sum(ties))];
      }
      const d = dims[0];
      const picked = reduceAlong(op === "max" ? "argmax" : "argmin", a, dims);
      const oneHot = cast(compare("eq", arangeAlong(a.shape[d], d, a.ndim, a.backend), picked), g.dtype);
      return [mul(gKept, oneHot)];
    },
    [a],
  );
}

/**
 * max/min/argmax/argmin have no value over nothing: PyTorch refuses to reduce an empty tensor as a
 * whole or along an axis of size 0, but along a non-empty axis of an empty tensor (a batch of 0
 * rows, [0, 3] along dim 1) the result is simply empty.
 */
function checkNonEmptyReduction(op: string, a: Tensor, dim: number | null | undefined): void {
  if (a.numel() !== 0) return;
  if (dim === undefined || dim === null) {
    throw new RangeError(
      `${op}(): Expected reduction dim to be specified for input.numel() == 0 (got shape ${formatShape(a.shape)})`,
    );
  }
  const d = normalizeDim(dim, a.ndim);
  if (a.shape[d] === 0)
    throw new RangeError(
      `${op}(): Expected reduction dim ${d} to have non-zero size (got shape ${formatShape(a.shape)})`,
    );
}

/** Index of the first largest/smallest value: flat over everything, or along `dim` (int64). */
export function argExtreme(
  op: "argmax" | "argmin",
  a: Tensor,
  dim: number | null | undefined,
  keepdim: boolean,
): Tensor {
  checkNonEmptyReduction(op, a, dim);
  if (dim === undefined || dim === null) {
    const flat = reshape(a.detach(), [a.numel()]);
    const out = reduceAlong(op, flat, [0]);
    return reshape(out, keepdim ? a.shape.map(() => 1) : []);
  }
  const dims = reducedDims(dim, a.ndim);
  return reshape(reduceAlong(op, a, dims), reducedShape(a.shape, dims, keepdim));
}

/** Σ (a - mean)² / (N - correction), correction 1 when unbiased. Composed, so autograd is free. */
export function variance(
  a: Tensor,
  dim: number | readonly number[] | null | undefined,
  unbiased: boolean,
  keepdim: boolean,
): Tensor {
  const dims = reducedDims(dim, a.ndim);
  const count = dims.reduce((n, d) => n * a.shape[d], 1);
  const centered = sub(a, mean(a, dims, true));
  return div(sum(mul(centered, centered), dims, keepdim), Math.max(count - (unbiased ? 1 : 0), 0));
}

/**
 * Sums a broadcast gradient back to `shape`: over the leading axes broadcasting added, and over
 * axes where `shape` has size 1. The inverse of broadcasting, used by every binary op's backward.
 */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  // keepdim leaves size-1 axes where `shape` has them; dropping the leading ones gives `shape`
  return reshape(dims.length > 0 ? sum(g, dims, true) : g, shape);
}
