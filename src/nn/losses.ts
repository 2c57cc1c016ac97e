/**
 * Loss modules: each calls its `nn.functional` counterpart with the options given at construction.
 * Unknown option keys are rejected here, when the module is built, as PyTorch's constructors do.
 */
import { checkOptions } from "../options.js";
import type { Tensor } from "../tensor.js";
import * as F from "./functional.js";
import { Module } from "./module.js";

export class MSELoss extends Module {
  readonly options: { reduction?: F.Reduction };
  constructor(options: { reduction?: F.Reduction } = {}) {
    super();
    this.options = checkOptions("MSELoss", options, ["reduction"]);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, this.options);
  }
}

export class CrossEntropyLoss extends Module {
  readonly options: F.CrossEntropyOptions;
  constructor(options: F.CrossEntropyOptions = {}) {
    super();
    this.options = checkOptions("CrossEntropyLoss", options, ["reduction", "weight", "ignoreIndex", "labelSmoothing"]);
  }
  override forward(logits: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(logits, target, this.options);
  }
}

export class NLLLoss extends Module {
  readonly options: F.NllOptions;
  constructor(options: F.NllOptions = {}) {
    super();
    this.options = checkOptions("NLLLoss", options, ["reduction", "weight", "ignoreIndex"]);
  }
  override forward(logProbs: Tensor, target: Tensor): Tensor {
    return F.nllLoss(logProbs, target, this.options);
  }
}

export class BCELoss extends Module {
  readonly options: { reduction?: F.Reduction; weight?: Tensor | null };
  constructor(options: { reduction?: F.Reduction; weight?: Tensor | null } = {}) {
    super();
    this.options = checkOptions("BCELoss", options, ["reduction", "weight"]);
  }
  override forward(p: Tensor, y: Tensor): Tensor {
    return F.binaryCrossEntropy(p, y, this.options);
  }
}

export class BCEWithLogitsLoss extends Module {
  readonly options: { reduction?: F.Reduction; weight?: Tensor | null; posWeight?: Tensor | null };
  constructor(options: { reduction?: F.Reduction; weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super();
    this.options = checkOptions("BCEWithLogitsLoss", options, ["reduction", "weight", "posWeight"]);
  }
  override forward(logits: Tensor, y: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(logits, y, this.options);
  }
}
