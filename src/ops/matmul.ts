/**
 * Matrix product with PyTorch's `matmul` rules: 1-D operands are promoted to a row or column and the
 * extra dimension removed again; leading (batch) dimensions broadcast.
 *
 * Forward and both gradients are one call each of the backend's batched `matmul` kernel, whose
 * transpose flags spare us copying transposed matrices:  for C = A·B,
 *   ∂L/∂A = ∂L/∂C · Bᵀ      ∂L/∂B = Aᵀ · ∂L/∂C
 */
import { record } from "../autograd.js";
import { promoteTypes } from "../dtype.js";
import { broadcastShapes, formatShape, numelOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { assertSameBackend, cast } from "./elementwise.js";
import { expand, reshape, squeeze, unsqueeze } from "./movement.js";
import { sumTo } from "./reduce.js";

/**
 * op(a) · op(b) for tensors of shape [...batch, rows, cols], op = transpose when the flag is set.
 * The batch dimensions broadcast; a batch of one is reused through a batch stride of 0.
 */
function batchedProduct(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  const [m, k] = transA ? [aCols, aRows] : [aRows, aCols];
  const [k2, n] = transB ? [bCols, bRows] : [bRows, bCols];
  if (k !== k2) {
    throw new RangeError(
      `mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n}); operand shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(aBatch, bBatch);
  const batch = numelOf(batchShape);
  // an operand with a partial batch is expanded; with a batch of one it is reused in place
  const fit = (t: Tensor, own: number[]) =>
    numelOf(own) === 1 || numelOf(own) === batch ? t : expand(t, [...batchShape, ...t.shape.slice(-2)]);
  const [aa, bb] = [fit(a, aBatch), fit(b, bBatch)];
  const out = Tensor.uninitialized([...batchShape, m, n], a.dtype, a.backend);
  a.backend.matmul(
    out.storage,
    aa.storage,
    bb.storage,
    batch,
    m,
    k,
    n,
    numelOf(aa.shape.slice(0, -2)) === 1 ? 0 : m * k,
    numelOf(bb.shape.slice(0, -2)) === 1 ? 0 : k * n,
    transA,
    transB,
  );
  return out;
}

export function matmul(x: Tensor, y: Tensor): Tensor {
  assertSameBackend(x, y);
  if (x.ndim === 0 || y.ndim === 0) {
    throw new RangeError(
      `matmul: both arguments need at least 1 dimension, got shapes ${formatShape(x.shape)} and ${formatShape(y.shape)}`,
    );
  }
  const dtype = promoteTypes(x.dtype, y.dtype);
  // vectors become a 1×k row (left) or k×1 column (right); the extra dimension is removed after
  if (x.ndim === 1 && y.ndim === 1) return squeeze(squeeze(matmul(unsqueeze(x, 0), unsqueeze(y, 1)), -1), -1);
  if (x.ndim === 1) return squeeze(matmul(unsqueeze(x, 0), y), -2);
  if (y.ndim === 1) return squeeze(matmul(x, unsqueeze(y, 1)), -1);
  const [a, b] = [cast(x, dtype), cast(y, dtype)];
  const out = batchedProduct(a.detach(), b.detach(), false, false);
  return record(
    out,
    "matmul",
    [a, b],
    (g) => [
      a.requiresGrad ? sumTo(batchedProduct(g, b, false, true), a.shape) : null,
      b.requiresGrad ? sumTo(batchedProduct(a, g, true, false), b.shape) : null,
    ],
    [a, b],
  );
}

/** y = x·Wᵀ + b, PyTorch's `F.linear`, with W stored [outFeatures, inFeatures]. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new RangeError(
      `linear: input of shape ${formatShape(x.shape)} has ${x.shape[x.ndim - 1]} features but weight of shape ${formatShape(weight.shape)} expects ${weight.shape[1]}`,
    );
  }
  const flat = reshape(x, [-1, weight.shape[1]]);
  const product = record(
    batchedProduct(flat.detach(), weight.detach(), false, true),
    "linear",
    [flat, weight],
    (g) => [
      flat.requiresGrad ? batchedProduct(g, weight, false, false) : null,
      weight.requiresGrad ? batchedProduct(g, flat, true, false) : null,
    ],
    [flat, weight],
  );
  const y = bias ? product.add(bias) : product;
  return reshape(y, [...x.shape.slice(0, -1), weight.shape[0]]);
}
