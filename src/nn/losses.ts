/** Loss modules: each calls its `nn.functional` counterpart with the options given at construction. */
import type { Tensor } from "../tensor.js";
import * as F from "./functional.js";
import { Module } from "./module.js";

export class MSELoss extends Module {
  constructor(readonly options: { reduction?: F.Reduction } = {}) {
    super();
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, this.options);
  }
}

export class CrossEntropyLoss extends Module {
  constructor(readonly options: F.CrossEntropyOptions = {}) {
    super();
  }
  override forward(logits: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(logits, target, this.options);
  }
}

export class NLLLoss extends Module {
  constructor(readonly options: F.NllOptions = {}) {
    super();
  }
  override forward(logProbs: Tensor, target: Tensor): Tensor {
    return F.nllLoss(logProbs, target, this.options);
  }
}

export class BCELoss extends Module {
  constructor(readonly options: { reduction?: F.Reduction; weight?: Tensor | null } = {}) {
    super();
  }
  override forward(p: Tensor, y: Tensor): Tensor {
    return F.binaryCrossEntropy(p, y, this.options);
  }
}

export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: { reduction?: F.Reduction; weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super();
  }
  override forward(logits: Tensor, y: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(logits, y, this.options);
  }
}
