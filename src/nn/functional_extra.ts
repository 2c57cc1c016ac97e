/**
 * The rest of `torch.nn.functional` a ported script reaches for: padding, one-hot, embedding with a
 * padding index, normalize, average pooling, LeakyReLU/GELU and the regression/divergence losses.
 * Re-exported by `nn.functional` (and `F`). All are compositions of differentiable tensor ops.
 */
import { fromValues } from "../creation.js";
import { checkOptions } from "../options.js";
import { formatShape, numelOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { put } from "../ops/indexing.js";
import { where } from "../ops/elementwise.js";
import type { Pair } from "../ops/conv.js";
import { conv2d } from "./conv.js";

export { conv1d, conv2d, type ConvOptions } from "./conv.js";
export { leakyRelu, gelu, erf } from "./activation.js";

type Reduction = "mean" | "sum" | "none";

/**
 * Pads the last dimensions with a constant: `pad` lists (before, after) pairs starting from the
 * last dimension, as PyTorch's `F.pad(x, (left, right, top, bottom))`. Negative amounts crop.
 */
export function pad(x: Tensor, amounts: readonly number[], mode: "constant" = "constant", value = 0): Tensor {
  if (mode !== "constant") throw new RangeError(`F.pad: only mode "constant" is supported, got ${String(mode)}`);
  if (amounts.length % 2 !== 0 || amounts.length / 2 > x.ndim) {
    throw new RangeError(
      `Padding length must be divisible by 2 and at most twice the number of dimensions (${x.ndim}), got ${amounts.length}`,
    );
  }
  let cropped = x;
  const before = new Array<number>(x.ndim).fill(0);
  const after = new Array<number>(x.ndim).fill(0);
  for (let i = 0; i < amounts.length / 2; i++) {
    const d = x.ndim - 1 - i;
    const [lo, hi] = [amounts[2 * i], amounts[2 * i + 1]];
    if (lo < 0) cropped = cropped.narrow(d, -lo, cropped.shape[d] + lo);
    if (hi < 0) cropped = cropped.narrow(d, 0, cropped.shape[d] + hi);
    before[d] = Math.max(lo, 0);
    after[d] = Math.max(hi, 0);
  }
  const shape = cropped.shape.map((s, d) => s + before[d] + after[d]);
  if (shape.some((s) => s < 0))
    throw new RangeError(
      `F.pad: padding ${formatShape(amounts)} makes a negative size for input of shape ${formatShape(x.shape)}`,
    );
  // where every input element lands in the padded output
  const outStrides = shape.map((_, d) => numelOf(shape.slice(d + 1)));
  const positions = new Array<number>(cropped.numel());
  const idx = new Array<number>(cropped.ndim).fill(0);
  for (let n = 0; n < positions.length; n++) {
    positions[n] = idx.reduce((p, i, d) => p + (i + before[d]) * outStrides[d], 0);
    for (let d = cropped.ndim - 1; d >= 0; d--) {
      if (++idx[d] < cropped.shape[d]) break;
      idx[d] = 0;
    }
  }
  const placed = put(cropped, positions, shape);
  if (value === 0) return placed;
  const inside = new Array<number>(numelOf(shape)).fill(0);
  for (const p of positions) inside[p] = 1;
  const mask = fromValues(inside, shape, { dtype: x.dtype, backend: x.backend });
  return where(mask, placed, value);
}

/** Class indices (int64 or int32) → one-hot rows: shape [..., numClasses], int64 (as PyTorch). */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  if (indices.dtype !== "int64" && indices.dtype !== "int32")
    throw new TypeError(`one_hot is only applicable to index tensor (int64 or int32), got ${indices.dtype}`);
  const values = indices.toArray();
  let max = -1;
  for (const v of values) {
    if (v < 0) throw new RangeError("Class values must be non-negative.");
    max = Math.max(max, v);
  }
  const classes = numClasses === -1 ? max + 1 : numClasses;
  if (max >= classes) throw new RangeError(`Class values must be smaller than num_classes (${classes}), got ${max}`);
  const out = new Int32Array(values.length * classes);
  values.forEach((v, i) => (out[i * classes + v] = 1));
  return fromValues(out, [...indices.shape, classes], { dtype: "int64", backend: indices.backend });
}

/**
 * Rows of `weight` for integer indices of any shape. With `paddingIdx`, that row is returned but
 * gets no gradient, as in PyTorch.
 */
export function embedding(indices: Tensor | number[], weight: Tensor, paddingIdx: number | null = null): Tensor {
  const rows = weight.index(indices);
  if (paddingIdx === null || paddingIdx === undefined) return rows;
  const pad = paddingIdx < 0 ? paddingIdx + weight.shape[0] : paddingIdx;
  const idx =
    indices instanceof Tensor
      ? indices
      : fromValues(indices, [indices.length], { dtype: "int64", backend: weight.backend });
  const isPad = idx.eq(pad).reshape([...idx.shape, 1]);
  return where(isPad, weight.detach().index(indices), rows);
}

/** x / max(‖x‖_p, eps) along `dim`. */
export function normalize(x: Tensor, options?: { p?: number; dim?: number; eps?: number }): Tensor {
  const { p = 2, dim = 1, eps = 1e-12 } = checkOptions("F.normalize", options, ["p", "dim", "eps"]);
  return x.div(x.norm(p, dim, true).clamp(eps, null));
}

/** Mean over k×k windows (zero padding counted, PyTorch's count_include_pad = True): a convolution with 1/(kH·kW). */
export function avgPool2d(x: Tensor, kernelSize: Pair, options?: { stride?: Pair | null; padding?: Pair }): Tensor {
  const o = checkOptions("avgPool2d", options, ["stride", "padding"]);
  const [kh, kw] = typeof kernelSize === "number" ? [kernelSize, kernelSize] : kernelSize;
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new RangeError(`avg_pool2d: expected 3D or 4D input, got shape ${formatShape(x.shape)}`);
  const lead = x.shape.slice(0, -2);
  const planes = x.reshape([-1, 1, ...x.shape.slice(-2)]);
  const kernel = Tensor.empty([1, 1, kh, kw], x.dtype, x.backend).fill_(1 / (kh * kw));
  const y = conv2d(planes, kernel, null, { stride: o.stride ?? kernelSize, padding: o.padding ?? 0 });
  return y.reshape([...lead, ...y.shape.slice(-2)]);
}

/**
 * Averages over PyTorch's adaptive bins: output cell i covers input rows ⌊i·H/out⌋ … ⌈(i+1)·H/out⌉ - 1.
 * The average over a rectangle is separable, so it is two matrix products: P_H · x · P_Wᵀ.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new RangeError(`adaptive_avg_pool2d: expected 3D or 4D input, got shape ${formatShape(x.shape)}`);
  const [oh, ow] = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
  const [h, w] = x.shape.slice(-2);
  const bins = (n: number, out: number): Tensor => {
    const m = new Float64Array(out * n);
    for (let i = 0; i < out; i++) {
      const start = Math.floor((i * n) / out);
      const end = Math.ceil(((i + 1) * n) / out);
      for (let j = start; j < end; j++) m[i * n + j] = 1 / (end - start);
    }
    return fromValues(m, [out, n], { dtype: x.dtype, backend: x.backend });
  };
  return bins(h, oh).matmul(x).matmul(bins(w, ow).t());
}

function reduce(loss: Tensor, reduction: Reduction, what: string): Tensor {
  if (reduction === "mean") return loss.mean();
  if (reduction === "sum") return loss.sum();
  if (reduction === "none") return loss;
  throw new RangeError(
    `${what}: ${String(reduction)} is not a valid value for reduction; expected "mean", "sum" or "none"`,
  );
}

function sameShape(input: Tensor, target: Tensor, what: string): void {
  if (input.shape.length !== target.shape.length || input.shape.some((s, i) => s !== target.shape[i])) {
    throw new RangeError(
      `${what}: target shape ${formatShape(target.shape)} must equal input shape ${formatShape(input.shape)}`,
    );
  }
}

/** |input - target| */
export function l1Loss(input: Tensor, target: Tensor, options?: { reduction?: Reduction }): Tensor {
  const { reduction = "mean" } = checkOptions("l1Loss", options, ["reduction"]);
  sameShape(input, target, "l1Loss");
  return reduce(input.sub(target).abs(), reduction, "l1Loss");
}

/** 0.5·d²/beta where |d| < beta, |d| - 0.5·beta elsewhere (d = input - target); beta 0 is L1. */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  options?: { reduction?: Reduction; beta?: number },
): Tensor {
  const { reduction = "mean", beta = 1 } = checkOptions("smoothL1Loss", options, ["reduction", "beta"]);
  if (!(beta >= 0)) throw new RangeError(`smooth_l1_loss does not support negative values for beta, got ${beta}`);
  sameShape(input, target, "smoothL1Loss");
  const d = input.sub(target).abs();
  if (beta === 0) return reduce(d, reduction, "smoothL1Loss");
  return reduce(where(d.lt(beta), d.square().mul(0.5 / beta), d.sub(0.5 * beta)), reduction, "smoothL1Loss");
}

/** 0.5·d² where |d| < delta, delta·(|d| - 0.5·delta) elsewhere (= beta·smoothL1 with beta = delta). */
export function huberLoss(input: Tensor, target: Tensor, options?: { reduction?: Reduction; delta?: number }): Tensor {
  const { reduction = "mean", delta = 1 } = checkOptions("huberLoss", options, ["reduction", "delta"]);
  if (!(delta > 0)) throw new RangeError(`huber_loss does not support non-positive values for delta, got ${delta}`);
  sameShape(input, target, "huberLoss");
  const d = input.sub(target).abs();
  return reduce(where(d.lt(delta), d.square().mul(0.5), d.sub(0.5 * delta).mul(delta)), reduction, "huberLoss");
}

/**
 * KL divergence with `input` as log-probabilities: target · (log target - input), 0 where target
 * is 0 (or exp(t) · (t - input) with `logTarget`). "batchmean" divides the sum by the batch size,
 * the mathematically correct KL; "mean" averages over every element, as PyTorch.
 */
export function klDiv(
  input: Tensor,
  target: Tensor,
  options?: { reduction?: Reduction | "batchmean"; logTarget?: boolean },
): Tensor {
  const { reduction = "mean", logTarget = false } = checkOptions("klDiv", options, ["reduction", "logTarget"]);
  const pointwise = logTarget
    ? target.exp().mul(target.sub(input))
    : where(target.gt(0), target.mul(where(target.gt(0), target, 1).log().sub(input)), 0);
  if (reduction === "batchmean") return pointwise.sum().div(input.ndim > 0 ? input.shape[0] : 1);
  return reduce(pointwise, reduction, "klDiv");
}
