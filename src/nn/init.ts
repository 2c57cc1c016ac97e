/**
 * Parameter initialisation, as `torch.nn.init` and PyTorch's layer defaults.
 *
 * Linear and Conv2d weights use kaiming-uniform with a = √5, which works out to
 * U(-1/√fan_in, 1/√fan_in); biases use U(-1/√fan_in, 1/√fan_in). The draws come from the same
 * generator algorithm as PyTorch's, in the same order (weight first, then bias), so after the same
 * `manualSeed` a layer starts from PyTorch's exact weights.
 */
import { noGrad } from "../autograd.js";
import { normal_, uniform_ } from "../sampling.js";
import { defaultGenerator, type Generator } from "../random.js";
import { Tensor } from "../tensor.js";
import { checkOptions } from "../options.js";

/** Number of inputs feeding each output: in-features, or in-channels × kernel area. */
export function fanIn(weight: Tensor): number {
  if (weight.ndim < 2) throw new RangeError("fan in can not be computed for a tensor with fewer than 2 dimensions");
  return weight.shape.slice(1).reduce((n, d) => n * d, 1);
}

// uniform_ and normal_ are the core's in-place draws (also Tensor methods), re-exported as torch.nn.init has them
export { normal_, uniform_ };

/** He (kaiming) uniform init for a leaky-ReLU slope `a`: bound = gain·√(3 / fan_in), gain = √(2 / (1 + a²)). */
export function kaimingUniform_(
  t: Tensor,
  a: number | KaimingOptions = 0,
  generator: Generator = defaultGenerator,
): Tensor {
  if (typeof a === "object") return kaimingUniformWith_(t, a);
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

// ---- the rest of torch.nn.init ---------------------------------------------------------------

/** Fan-in and fan-out: size(1) and size(0) times the receptive field (kernel area). */
export function fans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2)
    throw new RangeError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  const receptive = t.shape.slice(2).reduce((n, d) => n * d, 1);
  return { fanIn: t.shape[1] * receptive, fanOut: t.shape[0] * receptive };
}

export type Nonlinearity = "linear" | "conv1d" | "conv2d" | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

/** PyTorch's `calculate_gain`: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for relu, √(2/(1+a²)) for leaky_relu, 3/4 for selu. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new RangeError(`Unsupported nonlinearity ${String(nonlinearity)}`);
  }
}

export interface KaimingOptions {
  /** the negative slope of the leaky ReLU that follows (used with nonlinearity "leaky_relu") */
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

function kaimingStd(t: Tensor, options: KaimingOptions | undefined, name: string): [number, Generator] {
  const o = checkOptions(name, options, ["a", "mode", "nonlinearity", "generator"]);
  const mode = o.mode ?? "fan_in";
  if (mode !== "fan_in" && mode !== "fan_out")
    throw new RangeError(`Mode ${String(mode)} not supported, please use one of fan_in, fan_out`);
  const { fanIn: fi, fanOut: fo } = fans(t);
  const gain = calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0);
  return [gain / Math.sqrt(mode === "fan_in" ? fi : fo), o.generator ?? defaultGenerator];
}

/** He (kaiming) normal init: N(0, std²), std = gain / √fan. */
export function kaimingNormal_(t: Tensor, options?: KaimingOptions): Tensor {
  const [std, generator] = kaimingStd(t, options, "kaimingNormal_");
  return noGrad(() => normal_(t, 0, std, generator));
}

/** He (kaiming) uniform init with PyTorch's options: U(-b, b), b = √3 · gain / √fan. */
export function kaimingUniformWith_(t: Tensor, options?: KaimingOptions): Tensor {
  const [std, generator] = kaimingStd(t, options, "kaimingUniform_");
  return uniform_(t, -Math.sqrt(3) * std, Math.sqrt(3) * std, generator);
}

/** Glorot (xavier) uniform init: U(-a, a), a = gain · √(6 / (fan_in + fan_out)). */
export function xavierUniform_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const { fanIn: fi, fanOut: fo } = fans(t);
  const a = gain * Math.sqrt(2 / (fi + fo)) * Math.sqrt(3);
  return uniform_(t, -a, a, generator);
}

/** Glorot (xavier) normal init: N(0, std²), std = gain · √(2 / (fan_in + fan_out)). */
export function xavierNormal_(t: Tensor, gain = 1, generator: Generator = defaultGenerator): Tensor {
  const { fanIn: fi, fanOut: fo } = fans(t);
  return noGrad(() => normal_(t, 0, gain * Math.sqrt(2 / (fi + fo)), generator));
}

export function constant_(t: Tensor, value: number): Tensor {
  return noGrad(() => t.fill_(value));
}
export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);
