/**
 * Activations PyTorch has beyond ReLU/Tanh/Sigmoid: LeakyReLU and GELU, as functions and modules.
 */
import { checkOptions } from "../options.js";
import { Tensor } from "../tensor.js";
import { Module } from "./module.js";

/** max(0, x) + negativeSlope · min(0, x) */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  return x.relu().sub(x.neg().relu().mul(negativeSlope));
}

/**
 * erf by Abramowitz & Stegun 7.1.26: erf(|x|) ≈ 1 - (a1 t + … + a5 t⁵) e^{-x²}, t = 1/(1 + p|x|),
 * absolute error below 1.5·10⁻⁷ (about one float32 ulp of values near 1); odd in x.
 */
export function erf(x: Tensor): Tensor {
  const [p, a1, a2, a3, a4, a5] = [0.3275911, 0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];
  const ax = x.abs();
  const t = ax.mul(p).add(1).pow(-1);
  const poly = t.mul(a5).add(a4).mul(t).add(a3).mul(t).add(a2).mul(t).add(a1).mul(t);
  const magnitude = poly.mul(ax.square().neg().exp()).neg().add(1);
  return magnitude.mul(x.sign());
}

/**
 * GELU: x · Φ(x) = x/2 · (1 + erf(x/√2)); with approximate "tanh",
 * x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))).
 */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  if (approximate === "tanh") {
    const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(inner.tanh().add(1));
  }
  if (approximate !== "none")
    throw new RangeError(`approximate argument must be either none or tanh, got ${String(approximate)}`);
  return x.mul(0.5).mul(erf(x.mul(Math.SQRT1_2)).add(1));
}

export class LeakyReLU extends Module {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== "number")
      throw new TypeError(`LeakyReLU(negativeSlope): expected a number, got ${typeof negativeSlope}`);
    this.negativeSlope = negativeSlope;
  }
  override forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

export class GELU extends Module {
  readonly approximate: "none" | "tanh";
  constructor(options?: { approximate?: "none" | "tanh" }) {
    super();
    this.approximate = checkOptions("GELU", options, ["approximate"]).approximate ?? "none";
    if (this.approximate !== "none" && this.approximate !== "tanh")
      throw new RangeError(`GELU: approximate must be "none" or "tanh", got ${String(this.approximate)}`);
  }
  override forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }
}
