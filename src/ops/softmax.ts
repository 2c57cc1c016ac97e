/**
 * softmax and log-softmax along a dimension, stabilised by subtracting the (constant) maximum:
 *     log_softmax(x) = (x - m) - log Σ exp(x - m),   softmax(x) = exp(x - m) / Σ exp(x - m)
 * Used by `x.softmax(dim)`, `F.softmax` and the Softmax modules.
 */
import { composite } from "../autograd.js";
import { normalizeDim } from "../shape.js";
import type { Tensor } from "../tensor.js";

export function logSoftmax(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  return composite(() => {
    const shifted = x.sub(x.detach().amax(d, true));
    return shifted.sub(shifted.exp().sum(d, true).log());
  });
}

export function softmax(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim);
  return composite(() => {
    const e = x.sub(x.detach().amax(d, true)).exp();
    return e.div(e.sum(d, true));
  });
}
