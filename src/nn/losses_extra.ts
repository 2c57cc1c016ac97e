/** Loss modules for regression and distributions: L1Loss, SmoothL1Loss, HuberLoss, KLDivLoss. */
import { checkOptions } from "../options.js";
import type { Tensor } from "../tensor.js";
import * as F from "./functional_extra.js";
import { Module } from "./module.js";

type Reduction = "mean" | "sum" | "none";

export class L1Loss extends Module {
  readonly reduction: Reduction;
  constructor(options?: { reduction?: Reduction }) {
    super();
    this.reduction = checkOptions("L1Loss", options, ["reduction"]).reduction ?? "mean";
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

export class SmoothL1Loss extends Module {
  readonly reduction: Reduction;
  readonly beta: number;
  constructor(options?: { reduction?: Reduction; beta?: number }) {
    super();
    const o = checkOptions("SmoothL1Loss", options, ["reduction", "beta"]);
    this.reduction = o.reduction ?? "mean";
    this.beta = o.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class HuberLoss extends Module {
  readonly reduction: Reduction;
  readonly delta: number;
  constructor(options?: { reduction?: Reduction; delta?: number }) {
    super();
    const o = checkOptions("HuberLoss", options, ["reduction", "delta"]);
    this.reduction = o.reduction ?? "mean";
    this.delta = o.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export class KLDivLoss extends Module {
  readonly reduction: Reduction | "batchmean";
  readonly logTarget: boolean;
  constructor(options?: { reduction?: Reduction | "batchmean"; logTarget?: boolean }) {
    super();
    const o = checkOptions("KLDivLoss", options, ["reduction", "logTarget"]);
    this.reduction = o.reduction ?? "mean";
    this.logTarget = o.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
