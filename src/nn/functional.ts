/**
 * `nn.functional` (also exported as `F`): layers and losses as plain functions of tensors.
 * Most are compositions of differentiable ops, so their gradients come from autograd for free;
 * linear, conv2d and maxPool2d are single ops with hand-written backward passes (src/ops/).
 */
import { composite, noGrad, record } from "../autograd.js";
import { fromValues, full } from "../creation.js";
import { isFloating, isInteger } from "../dtype.js";
import { checkOptions } from "../options.js";
import { defaultGenerator, type Generator } from "../random.js";
import { formatShape, sameShape } from "../shape.js";
import { logSoftmax } from "../ops/softmax.js";
import { Tensor } from "../tensor.js";
import { maxPool2d as maxPool2dOp, type Pair } from "../ops/conv.js";
import { linear as linearOp } from "../ops/matmul.js";
import { clamp, where } from "../ops/elementwise.js";

export type Reduction = "mean" | "sum" | "none";

export const linear = linearOp;
export { conv2d } from "./conv.js"; // with dilation, groups and padding "same"
export const maxPool2d = (
  x: Tensor,
  kernelSize: Pair,
  options: { stride?: Pair | null; padding?: Pair } = {},
): Tensor => maxPool2dOp(x, kernelSize, options);
export const relu = (x: Tensor): Tensor => x.relu();
export const tanh = (x: Tensor): Tensor => x.tanh();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();

function checkProbability(p: number, what: string): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${what} probability has to be between 0 and 1, but got ${p}`);
}

/**
 * Inverted dropout: in training, zero each element with probability p and scale the survivors by
 * 1/(1-p), so the expected value is unchanged and evaluation needs no rescaling.
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  checkProbability(p, "dropout");
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  return x.mul(keepMask(x.shape, p, x, generator));
}

/** Channel dropout for [N, C, H, W] (or [C, H, W]): whole feature maps are zeroed together. */
export function dropout2d(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  checkProbability(p, "dropout2d");
  if (x.ndim !== 3 && x.ndim !== 4)
    throw new RangeError(`dropout2d: expected a 3-D or 4-D input, got shape ${formatShape(x.shape)}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const maskShape = [...x.shape.slice(0, x.ndim - 2), 1, 1];
  return x.mul(keepMask(maskShape, p, x, generator));
}

/** Bernoulli(1 - p) draws divided by (1 - p), as PyTorch's CPU dropout builds its noise. */
function keepMask(shape: readonly number[], p: number, like: Tensor, generator: Generator): Tensor {
  const noise = new (like.dtype === "float64" ? Float64Array : Float32Array)(shape.reduce((n, d) => n * d, 1));
  generator.bernoulli(noise, 1 - p);
  const mask = fromValues(noise, shape, { dtype: like.dtype, backend: like.backend });
  return noGrad(() => mask.div_(1 - p));
}

export { logSoftmax, softmax } from "../ops/softmax.js";

const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];

function checkReduction(reduction: Reduction): void {
  if (!REDUCTIONS.includes(reduction)) {
    throw new RangeError(`${String(reduction)} is not a valid value for reduction; expected "mean", "sum" or "none"`);
  }
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  checkReduction(reduction);
  if (reduction === "mean") return loss.mean();
  if (reduction === "sum") return loss.sum();
  return loss;
}

/**
 * Σ loss / total, the weighted mean of nllLoss and crossEntropy. With nothing counted (every target
 * ignored, or an empty batch) PyTorch gives 0/0 = NaN with a zero gradient, where dividing here
 * would send ∞·0 = NaN back.
 */
function weightedMean(loss: Tensor, total: Tensor): Tensor {
  // without reading `total` into JavaScript (capture() replays this): where() sends no gradient
  // to the branch it does not pick
  const counted = total.ne(0);
  return where(counted, loss.sum().div(where(counted, total, 1)), NaN);
}

export interface NllOptions {
  reduction?: Reduction;
  /** a manual rescaling weight per class */
  weight?: Tensor | null;
  /** targets equal to this are skipped (and not counted in the mean) */
  ignoreIndex?: number;
}
const NLL_KEYS = ["reduction", "weight", "ignoreIndex"] as const;

/** [N, C, d1, …] → [N·d1·…, C]: the class dim last, every other position one row. */
function classesLast(x: Tensor): Tensor {
  if (x.ndim === 2) return x;
  const others = Array.from({ length: x.ndim - 2 }, (_, i) => i + 2);
  return x.permute([0, ...others, 1]).reshape([-1, x.shape[1]]);
}

/**
 * The per-position terms of the negative log likelihood, for log-probabilities [N, C, d1, …] and
 * class indices [N, d1, …]: `losses` = −w[t]·logProbs[n, t, …] and `w` = w[t] (the class weight of
 * the target, 1 without weights, 0 where the target is ignored), both of the target's shape.
 */
function nllTerms(
  caller: string,
  logProbs: Tensor,
  target: Tensor,
  weight: Tensor | null,
  ignoreIndex: number,
): { losses: Tensor; w: Tensor } {
  const [n, classes] = logProbs.shape;
  const expected = [n, ...logProbs.shape.slice(2)];
  if (!sameShape(target.shape, expected)) {
    throw new RangeError(
      target.shape[0] !== n
        ? `Expected input batch_size (${n}) to match target batch_size (${target.shape[0] ?? "scalar"}); input shape ${formatShape(logProbs.shape)}, target shape ${formatShape(target.shape)}`
        : `${caller}: expected target of shape ${formatShape(expected)} for input of shape ${formatShape(logProbs.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new RangeError(
      `${caller}: weight should have ${classes} elements (one per class), got shape ${formatShape(weight.shape)}`,
    );
  }
  if (!isInteger(target.dtype)) {
    throw new TypeError(
      `${caller}: expected class indices of an integer dtype (int64 as in PyTorch), got ${target.dtype} ` +
        "(class probabilities need the input's shape)",
    );
  }
  // the targets never go through JavaScript: the bounds check is a kernel (so capture() replays it)
  const m = target.numel();
  const backend = logProbs.backend;
  const flatTarget = target.reshape([m]);
  const ignored = flatTarget.eq(ignoreIndex);
  const safeTargets = Tensor.uninitialized([m], "int64", backend);
  backend.wrapIndices(
    safeTargets.storage,
    where(ignored, 0, flatTarget).storage,
    classes,
    false,
    (t) => new RangeError(`Target ${t} is out of bounds for ${classes} classes.`),
  );
  const kept = where(ignored, 0, full([m], 1, { dtype: logProbs.dtype }));
  // pick logProbs[i, target[i]] from the rows of [M, C] flattened to [M·C]
  const rowStarts = fromValues(
    Array.from({ length: m }, (_, i) => i * classes),
    [m],
    { dtype: "int64", backend },
  );
  const picked = classesLast(logProbs).reshape([-1]).index(rowStarts.add(safeTargets));
  const classWeight = weight ? weight.detach().index(safeTargets) : full([m], 1, { dtype: logProbs.dtype });
  const w = classWeight.mul(kept).reshape([...target.shape]);
  return {
    losses: picked
      .reshape([...target.shape])
      .neg()
      .mul(w),
    w,
  };
}

/**
 * Negative log likelihood: -logProbs[n, target[n]], averaged with the class weights of the targets
 * (PyTorch: Σ w[t]·(-lp) / Σ w[t]). Input [N, C] (or [C], or [N, C, d1, …] with targets
 * [N, d1, …]), target class indices [N] (or []).
 */
export function nllLoss(logProbs: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  const { reduction = "mean", weight = null, ignoreIndex = -100 } = checkOptions("nllLoss", options, NLL_KEYS);
  checkReduction(reduction);
  return composite(() => {
    if (logProbs.ndim === 1) return nllLoss(logProbs.unsqueeze(0), target.reshape([1]), options).reshape([]); // one sample
    if (logProbs.ndim < 2)
      throw new RangeError(
        `nllLoss: expected input of shape [N, C] or [N, C, d1, ...], got ${formatShape(logProbs.shape)}`,
      );
    const { losses, w } = nllTerms("nllLoss", logProbs, target, weight, ignoreIndex);
    return reduction === "mean" ? weightedMean(losses, w.sum()) : reduce(losses, reduction);
  });
}

export interface CrossEntropyOptions extends NllOptions {
  /** mixes the one-hot target with the uniform distribution: (1 - ε)·onehot + ε/C */
  labelSmoothing?: number;
}
const CROSS_ENTROPY_KEYS = [...NLL_KEYS, "labelSmoothing"] as const;

/**
 * Cross-entropy of logits [N, C] (or [C], or [N, C, d1, …]) against class indices [N] ([], [N, d1,
 * …]), or against class probabilities of the logits' shape: nllLoss(logSoftmax(x)), with PyTorch's
 * options. Label smoothing ε, for class indices, as `torch.nn.functional.cross_entropy` computes it:
 *
 *     (1 − ε)·nll + ε/C · s,   sₙ = −Σ_c w_c·log qₙ,c  (0 where the target is ignored)
 *
 * with s reduced like the nll: its mean divides by the same Σ w[tₙ] over the targets kept.
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const {
    reduction = "mean",
    weight = null,
    ignoreIndex = -100,
    labelSmoothing = 0,
  } = checkOptions("crossEntropy", options, CROSS_ENTROPY_KEYS);
  checkReduction(reduction);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
    throw new RangeError(`labelSmoothing must be between 0.0 and 1.0, got ${labelSmoothing}`);
  return composite(() => {
    const soft = isFloating(target.dtype);
    if (logits.ndim === 1) {
      // one sample: a batch of one, and back to a scalar
      return crossEntropy(logits.unsqueeze(0), soft ? target.unsqueeze(0) : target.reshape([1]), options).reshape([]);
    }
    const classes = logits.shape[1];
    const logProbs = logSoftmax(logits, 1);
    // the class weights, shaped [C, 1, …] to multiply along the class dim
    const weighted =
      weight === null
        ? logProbs
        : logProbs.mul(weight.detach().reshape([classes, ...logits.shape.slice(2).map(() => 1)]));
    if (soft) {
      sameShapeOrThrow(logits, target, "crossEntropy");
      // soft targets: -Σ_c w_c p_c log q_c per position
      const smoothed = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
      return reduce(weighted.mul(smoothed).sum(1).neg(), reduction);
    }
    const { losses, w } = nllTerms("crossEntropy", logProbs, target, weight, ignoreIndex);
    const mean = reduction === "mean";
    const nll = mean ? weightedMean(losses, w.sum()) : reduce(losses, reduction);
    if (labelSmoothing === 0) return nll;
    const kept = target.ne(ignoreIndex).to(logits.dtype);
    const uniform = weighted.sum(1).neg().mul(kept);
    const smooth = mean ? weightedMean(uniform, w.sum()) : reduce(uniform, reduction);
    return nll.mul(1 - labelSmoothing).add(smooth.mul(labelSmoothing / classes));
  });
}

function sameShapeOrThrow(input: Tensor, target: Tensor, what: string): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(
      `${what}: target shape ${formatShape(target.shape)} must equal input shape ${formatShape(input.shape)}`,
    );
  }
}

/** Mean squared error: mean((input - target)²). */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const { reduction = "mean" } = checkOptions("mseLoss", options, ["reduction"]);
  sameShapeOrThrow(input, target, "mseLoss");
  return composite(() => {
    const diff = input.sub(target);
    return reduce(diff.mul(diff), reduction);
  });
}

/**
 * Binary cross-entropy on probabilities, as PyTorch computes it:
 *
 *     ℓ = −(y·max(log p, −100) + (1 − y)·max(log(1 − p), −100))
 *     ∂ℓ/∂p = (p − y) / max(p(1 − p), 1e-12),   ∂ℓ/∂y = log(1 − p) − log p
 *
 * The clamp keeps ℓ finite at p = 0 and p = 1; the chain rule through it would give 0·∞ = NaN
 * there, so the gradient is PyTorch's closed form, finite everywhere.
 */
export function binaryCrossEntropy(
  p: Tensor,
  y: Tensor,
  options: { reduction?: Reduction; weight?: Tensor | null } = {},
): Tensor {
  const { reduction = "mean", weight = null } = checkOptions("binaryCrossEntropy", options, ["reduction", "weight"]);
  checkReduction(reduction);
  sameShapeOrThrow(p, y, "binaryCrossEntropy");
  return composite(() => {
    const values = p.toArray();
    for (const v of values)
      if (!(v >= 0 && v <= 1)) throw new RangeError(`all elements of input should be between 0 and 1, found ${v}`);
    const [logP, log1mP] = noGrad(() => [p.log(), p.neg().add(1).log()]);
    const elementwise = noGrad(() =>
      y
        .mul(clamp(logP, -100, Infinity))
        .add(
          y
            .neg()
            .add(1)
            .mul(clamp(log1mP, -100, Infinity)),
        )
        .neg(),
    );
    const loss = record(elementwise, "binaryCrossEntropy", [p, y], (g) => [
      p.requiresGrad ? g.mul(p.sub(y)).div(clamp(p.mul(p.neg().add(1)), 1e-12, Infinity)) : null,
      y.requiresGrad ? g.mul(log1mP.sub(logP)) : null,
    ]);
    return reduce(weight ? loss.mul(weight) : loss, reduction);
  });
}

/**
 * Binary cross-entropy on logits, in the stable form max(x, 0) - x·y + log(1 + e^-|x|);
 * with `posWeight` the positive term is scaled as PyTorch does.
 */
export function binaryCrossEntropyWithLogits(
  x: Tensor,
  y: Tensor,
  options: { reduction?: Reduction; weight?: Tensor | null; posWeight?: Tensor | null } = {},
): Tensor {
  const {
    reduction = "mean",
    weight = null,
    posWeight = null,
  } = checkOptions("binaryCrossEntropyWithLogits", options, ["reduction", "weight", "posWeight"]);
  sameShapeOrThrow(x, y, "binaryCrossEntropyWithLogits");
  return composite(() => {
    // log σ(x) = -softplus(-x) and log(1 - σ(x)) = -softplus(x), softplus(z) = max(z, 0) + log(1 + e^-|z|)
    const softplusNeg = x.neg().relu().add(x.abs().neg().exp().add(1).log());
    const softplusPos = softplusNeg.add(x);
    const positive = posWeight ? y.mul(posWeight) : y;
    let loss = positive.mul(softplusNeg).add(y.neg().add(1).mul(softplusPos));
    if (weight) loss = loss.mul(weight);
    return reduce(loss, reduction);
  });
}

export * from "./functional_extra.js"; // pad, oneHot, embedding, normalize, pooling, GELU, more losses
