/** Average pooling modules (the functions are in functional_extra.ts). */
import { checkOptions } from "../options.js";
import type { Pair } from "../ops/conv.js";
import type { Tensor } from "../tensor.js";
import { adaptiveAvgPool2d, avgPool2d } from "./functional_extra.js";
import { Module } from "./module.js";

export class AvgPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  constructor(
    readonly kernelSize: Pair,
    options?: { stride?: Pair | null; padding?: Pair },
  ) {
    super();
    const o = checkOptions("AvgPool2d", options, ["stride", "padding"]);
    this.stride = o.stride ?? kernelSize;
    this.padding = o.padding ?? 0;
  }
  override forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}, padding=${JSON.stringify(this.padding)}`;
  }
}

export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: Pair) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}
