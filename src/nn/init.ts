/**
 * Parameter initialisation, as `torch.nn.init` and PyTorch's layer defaults.
 *
 * Linear and Conv2d weights use kaiming-uniform with a = √5, which works out to
 * U(-1/√fan_in, 1/√fan_in); biases use U(-1/√fan_in, 1/√fan_in). The draws come from the same
 * generator algorithm as PyTorch's, in the same order (weight first, then bias), so after the same
 * `manualSeed` a layer starts from PyTorch's exact weights.
 */
import { noGrad } from "../autograd.js";
import { fromValues } from "../creation.js";
import { defaultGenerator, type Generator } from "../random.js";
import type { Tensor } from "../tensor.js";

/** Number of inputs feeding each output: in-features, or in-channels × kernel area. */
export function fanIn(weight: Tensor): number {
  if (weight.ndim < 2) throw new RangeError("fan in can not be computed for a tensor with fewer than 2 dimensions");
  return weight.shape.slice(1).reduce((n, d) => n * d, 1);
}

/** Fills `t` with U(from, to) drawn as PyTorch's `uniform_` would. */
export function uniform_(t: Tensor, from = 0, to = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.dtype === "int32") throw new TypeError("uniform_ needs a floating point tensor");
  const values = t.dtype === "float64" ? new Float64Array(t.numel()) : new Float32Array(t.numel());
  generator.uniform(values, from, to);
  return fillWith(t, values);
}

/** Fills `t` with N(mean, std²) drawn as PyTorch's `normal_` would. */
export function normal_(t: Tensor, mean = 0, std = 1, generator: Generator = defaultGenerator): Tensor {
  if (t.dtype === "int32") throw new TypeError("normal_ needs a floating point tensor");
  const values = t.dtype === "float64" ? new Float64Array(t.numel()) : new Float32Array(t.numel());
  generator.normal(values, mean, std);
  return fillWith(t, values);
}

/** Copies the drawn values into `t` in place (not recorded by autograd, as PyTorch's init runs under no_grad). */
function fillWith(t: Tensor, values: Float32Array | Float64Array): Tensor {
  noGrad(() => t.copy_(fromValues(values, t.shape, { dtype: t.dtype, backend: t.backend })));
  return t;
}

/** He (kaiming) uniform init for a leaky-ReLU slope `a`: bound = gain·√(3 / fan_in), gain = √(2 / (1 + a²)). */
export function kaimingUniform_(t: Tensor, a = 0, generator: Generator = defaultGenerator): Tensor {
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / fanIn(t));
  return uniform_(t, -bound, bound, generator);
}

/** PyTorch's default for Linear and Conv2d: kaiming-uniform(a = √5) weight, U(±1/√fan_in) bias. */
export function defaultLayerInit(weight: Tensor, bias: Tensor | null, generator: Generator = defaultGenerator): void {
  kaimingUniform_(weight, Math.sqrt(5), generator);
  if (bias) {
    const fan = fanIn(weight);
    const bound = fan > 0 ? 1 / Math.sqrt(fan) : 0;
    uniform_(bias, -bound, bound, generator);
  }
}
