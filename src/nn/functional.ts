/**
 * `nn.functional` (also exported as `F`): layers and losses as plain functions of tensors.
 * Most are compositions of differentiable ops, so their gradients come from autograd for free;
 * linear, conv2d and maxPool2d are single ops with hand-written backward passes (src/ops/).
 */
import { noGrad } from "../autograd.js";
import { full } from "../creation.js";
import { defaultGenerator, type Generator } from "../random.js";
import { formatShape, sameShape } from "../shape.js";
import { logSoftmax } from "../ops/softmax.js";
import { Tensor } from "../tensor.js";
import { maxPool2d as maxPool2dOp, type Pair } from "../ops/conv.js";
import { linear as linearOp } from "../ops/matmul.js";
import { clamp } from "../ops/elementwise.js";

export type Reduction = "mean" | "sum" | "none";

export const linear = linearOp;
export { conv2d } from "./conv.js"; // with dilation, groups and padding "same"
export const maxPool2d = (x: Tensor, kernelSize: Pair, options: { stride?: Pair | null; padding?: Pair } = {}): Tensor =>
  maxPool2dOp(x, kernelSize, options);
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
  if (x.ndim !== 3 && x.ndim !== 4) throw new RangeError(`dropout2d: expected a 3-D or 4-D input, got shape ${formatShape(x.shape)}`);
  if (!training || p === 0) return x;
  if (p === 1) return x.mul(0);
  const maskShape = [...x.shape.slice(0, x.ndim - 2), 1, 1];
  return x.mul(keepMask(maskShape, p, x, generator));
}

/** Bernoulli(1 - p) draws divided by (1 - p), as PyTorch's CPU dropout builds its noise. */
function keepMask(shape: readonly number[], p: number, like: Tensor, generator: Generator): Tensor {
  const noise = new (like.dtype === "float64" ? Float64Array : Float32Array)(shape.reduce((n, d) => n * d, 1));
  generator.bernoulli(noise, 1 - p);
  const mask = new Tensor(like.backend.fromArray(like.dtype, noise), [...shape], like.backend);
  return noGrad(() => mask.div_(1 - p));
}

export { logSoftmax, softmax } from "../ops/softmax.js";

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "mean") return loss.mean();
  if (reduction === "sum") return loss.sum();
  if (reduction === "none") return loss;
  throw new RangeError(`${String(reduction)} is not a valid value for reduction; expected "mean", "sum" or "none"`);
}

export interface NllOptions {
  reduction?: Reduction;
  /** a manual rescaling weight per class */
  weight?: Tensor | null;
  /** targets equal to this are skipped (and not counted in the mean) */
  ignoreIndex?: number;
}

/**
 * Negative log likelihood: -logProbs[n, target[n]], averaged with the class weights of the targets
 * (PyTorch: Σ w[t]·(-lp) / Σ w[t]). Input [N, C] (or [C]), target class indices [N] (or []).
 */
export function nllLoss(logProbs: Tensor, target: Tensor, options: NllOptions = {}): Tensor {
  const { reduction = "mean", weight = null, ignoreIndex = -100 } = options;
  if (logProbs.ndim === 1) return nllLoss(logProbs.unsqueeze(0), target.reshape([1]), options).reshape([]); // one sample
  if (logProbs.ndim !== 2) throw new RangeError(`nllLoss: expected input of shape [N, C], got ${formatShape(logProbs.shape)}`);
  const [n, classes] = logProbs.shape;
  if (target.ndim !== 1 || target.shape[0] !== n) {
    throw new RangeError(`Expected input batch_size (${n}) to match target batch_size (${target.shape[0] ?? "scalar"}); input shape ${formatShape(logProbs.shape)}, target shape ${formatShape(target.shape)}`);
  }
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== classes)) {
    throw new RangeError(`nllLoss: weight should have ${classes} elements (one per class), got shape ${formatShape(weight.shape)}`);
  }
  const targets = Array.from(target.toArray());
  targets.forEach((t) => {
    if (t !== ignoreIndex && !(Number.isInteger(t) && t >= 0 && t < classes)) throw new RangeError(`Target ${t} is out of bounds for ${classes} classes.`);
  });
  const kept = targets.map((t) => (t === ignoreIndex ? 0 : 1));
  const safeTargets = targets.map((t) => (t === ignoreIndex ? 0 : t));
  // pick logProbs[i, target[i]] from the flattened [N·C] vector
  const flatIndex = safeTargets.map((t, i) => i * classes + t);
  const picked = logProbs.reshape([-1]).index(flatIndex);
  const classWeight = weight ? weight.detach().index(safeTargets) : full([n], 1, { dtype: logProbs.dtype });
  const w = classWeight.mul(new Tensor(logProbs.backend.fromArray(logProbs.dtype, kept), [n], logProbs.backend));
  const losses = picked.neg().mul(w);
  if (reduction === "mean") return losses.sum().div(w.sum());
  return reduce(losses, reduction);
}

export interface CrossEntropyOptions extends NllOptions {
  /** mixes the one-hot target with the uniform distribution: (1 - ε)·onehot + ε/C */
  labelSmoothing?: number;
}

/**
 * Cross-entropy of logits [N, C] against class indices [N] (int32), or against class probabilities
 * of the same shape as the logits: nllLoss(logSoftmax(x)), with PyTorch's options.
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { reduction = "mean", labelSmoothing = 0 } = options;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new RangeError(`labelSmoothing must be between 0.0 and 1.0, got ${labelSmoothing}`);
  const classDim = logits.ndim === 1 ? 0 : 1;
  const logProbs = logSoftmax(logits, classDim);
  if (target.dtype !== "int32" && sameShape(target.shape, logits.shape)) {
    // soft targets: -Σ_c p_c log q_c per sample
    const classes = logits.shape[classDim];
    const smoothed = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / classes) : target;
    const weighted = options.weight ? logProbs.mul(options.weight) : logProbs;
    return reduce(weighted.mul(smoothed).sum(classDim).neg(), reduction);
  }
  const nll = nllLoss(logProbs, target, options);
  if (labelSmoothing === 0) return nll;
  // label smoothing adds ε/C of the uniform distribution's cross-entropy
  const classes = logits.shape[classDim];
  const uniform = reduce(logProbs.sum(classDim).neg().div(classes), reduction);
  return nll.mul(1 - labelSmoothing).add(uniform.mul(labelSmoothing));
}

function sameShapeOrThrow(input: Tensor, target: Tensor, what: string): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new RangeError(`${what}: target shape ${formatShape(target.shape)} must equal input shape ${formatShape(input.shape)}`);
  }
}

/** Mean squared error: mean((input - target)²). */
export function mseLoss(input: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  sameShapeOrThrow(input, target, "mseLoss");
  const diff = input.sub(target);
  return reduce(diff.mul(diff), options.reduction ?? "mean");
}

/** Binary cross-entropy on probabilities: -(y log p + (1-y) log(1-p)), logs clamped at -100 as PyTorch. */
export function binaryCrossEntropy(p: Tensor, y: Tensor, options: { reduction?: Reduction; weight?: Tensor | null } = {}): Tensor {
  sameShapeOrThrow(p, y, "binaryCrossEntropy");
  const values = p.toArray();
  for (const v of values) if (!(v >= 0 && v <= 1)) throw new RangeError(`all elements of input should be between 0 and 1, found ${v}`);
  const logP = clamp(p.log(), -100, Infinity);
  const log1mP = clamp(p.neg().add(1).log(), -100, Infinity);
  let loss = y.mul(logP).add(y.neg().add(1).mul(log1mP)).neg();
  if (options.weight) loss = loss.mul(options.weight);
  return reduce(loss, options.reduction ?? "mean");
}

/**
 * Binary cross-entropy on logits, in the stable form max(x, 0) - x·y + log(1 + e^-|x|);
 * with `posWeight` the positive term is scaled as PyTorch does.
 */
export function binaryCrossEntropyWithLogits(
  x: Tensor, y: Tensor,
  options: { reduction?: Reduction; weight?: Tensor | null; posWeight?: Tensor | null } = {},
): Tensor {
  sameShapeOrThrow(x, y, "binaryCrossEntropyWithLogits");
  // log σ(x) = -softplus(-x) and log(1 - σ(x)) = -softplus(x), softplus(z) = max(z, 0) + log(1 + e^-|z|)
  const softplusNeg = x.neg().relu().add(x.abs().neg().exp().add(1).log());
  const softplusPos = softplusNeg.add(x);
  const positive = options.posWeight ? y.mul(options.posWeight) : y;
  let loss = positive.mul(softplusNeg).add(y.neg().add(1).mul(softplusPos));
  if (options.weight) loss = loss.mul(options.weight);
  return reduce(loss, options.reduction ?? "mean");
}

export * from "./functional_extra.js"; // pad, oneHot, embedding, normalize, pooling, GELU, more losses
