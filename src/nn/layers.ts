/**
 * The layers of `nn`: each holds its parameters and calls the matching `nn.functional` op.
 */
import { fromValues } from "../creation.js";
import { Tensor } from "../tensor.js";
import * as F from "./functional.js";
import { defaultLayerInit, normal_ } from "./init.js";
import { Module, Parameter } from "./module.js";
import type { Pair } from "../ops/conv.js";
import { pair } from "../ops/conv.js";
import { noGrad } from "../autograd.js";
import { checkOptions } from "../options.js";
import { conv1d, conv2d } from "./conv.js";
import { embedding } from "./functional_extra.js";

function positiveInteger(value: number, what: string, layer: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new RangeError(`${layer}: ${what} must be a positive integer, got ${value}`);
  return value;
}

/** y = x·Wᵀ + b with W [outFeatures, inFeatures]. */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options?: { bias?: boolean },
  ) {
    super();
    const { bias = true } = checkOptions("Linear", options, ["bias"]);
    positiveInteger(inFeatures, "inFeatures", "Linear");
    positiveInteger(outFeatures, "outFeatures", "Linear");
    this.weight = new Parameter(Tensor.empty([outFeatures, inFeatures]));
    this.bias = bias ? new Parameter(Tensor.empty([outFeatures])) : null;
    defaultLayerInit(this.weight, this.bias);
  }
  override forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

export interface Conv2dOptions {
  stride?: Pair;
  /** a size, a pair, "valid" (0) or "same" (output as large as the input; stride 1) */
  padding?: Pair | "same" | "valid";
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}
const CONV_OPTIONS = ["stride", "padding", "dilation", "groups", "bias"] as const;

function checkGroups(inChannels: number, outChannels: number, groups: number, layer: string): void {
  positiveInteger(groups, "groups", layer);
  if (inChannels % groups !== 0)
    throw new RangeError(`${layer}: in_channels must be divisible by groups (${inChannels} and ${groups})`);
  if (outChannels % groups !== 0)
    throw new RangeError(`${layer}: out_channels must be divisible by groups (${outChannels} and ${groups})`);
}

/** 2-D convolution with weight [outChannels, inChannels / groups, kH, kW]. */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | "same";
  readonly dilation: [number, number];
  readonly groups: number;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    options?: Conv2dOptions,
  ) {
    super();
    const o = checkOptions("Conv2d", options, CONV_OPTIONS);
    positiveInteger(inChannels, "inChannels", "Conv2d");
    positiveInteger(outChannels, "outChannels", "Conv2d");
    this.groups = o.groups ?? 1;
    checkGroups(inChannels, outChannels, this.groups, "Conv2d");
    this.kernelSize = pair(kernelSize, "kernelSize");
    this.stride = pair(o.stride ?? 1, "stride");
    this.padding =
      o.padding === "same" ? "same" : pair(o.padding === "valid" || o.padding === undefined ? 0 : o.padding, "padding");
    this.dilation = pair(o.dilation ?? 1, "dilation");
    if (this.padding === "same" && (this.stride[0] !== 1 || this.stride[1] !== 1))
      throw new RangeError("padding='same' is not supported for strided convolutions");
    this.weight = new Parameter(Tensor.empty([outChannels, inChannels / this.groups, ...this.kernelSize]));
    this.bias = (o.bias ?? true) ? new Parameter(Tensor.empty([outChannels])) : null;
    defaultLayerInit(this.weight, this.bias);
  }
  override forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
  override extraRepr(): string {
    return (
      `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=${this.padding === "same" ? "same" : `[${this.padding}]`}` +
      `${this.dilation.some((d) => d !== 1) ? `, dilation=[${this.dilation}]` : ""}${this.groups !== 1 ? `, groups=${this.groups}` : ""}`
    );
  }
}

/** 1-D convolution with weight [outChannels, inChannels / groups, kernelSize] over [N, C, L]. */
export class Conv1d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly stride: number;
  readonly padding: number | "same";
  readonly dilation: number;
  readonly groups: number;
  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options?: {
      stride?: number;
      padding?: number | "same" | "valid";
      dilation?: number;
      groups?: number;
      bias?: boolean;
    },
  ) {
    super();
    const o = checkOptions("Conv1d", options, CONV_OPTIONS);
    positiveInteger(inChannels, "inChannels", "Conv1d");
    positiveInteger(outChannels, "outChannels", "Conv1d");
    positiveInteger(kernelSize, "kernelSize", "Conv1d");
    this.groups = o.groups ?? 1;
    checkGroups(inChannels, outChannels, this.groups, "Conv1d");
    this.stride = o.stride ?? 1;
    this.padding = o.padding === "same" ? "same" : o.padding === "valid" ? 0 : (o.padding ?? 0);
    this.dilation = o.dilation ?? 1;
    this.weight = new Parameter(Tensor.empty([outChannels, inChannels / this.groups, kernelSize]));
    this.bias = (o.bias ?? true) ? new Parameter(Tensor.empty([outChannels])) : null;
    defaultLayerInit(this.weight, this.bias);
  }
  override forward(x: Tensor): Tensor {
    return conv1d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }
  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}`;
  }
}

export class MaxPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  constructor(
    readonly kernelSize: Pair,
    options?: { stride?: Pair | null; padding?: Pair },
  ) {
    super();
    options = checkOptions("MaxPool2d", options, ["stride", "padding"]);
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
  }
  override forward(x: Tensor): Tensor {
    return F.maxPool2d(x, this.kernelSize, { stride: this.stride, padding: this.padding });
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, stride=${JSON.stringify(this.stride)}`;
  }
}

export class ReLU extends Module {
  override forward(x: Tensor): Tensor {
    return x.relu();
  }
}
export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return x.tanh();
  }
}
export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim);
  }
}
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim);
  }
}

/** Flattens dimensions startDim..endDim (by default everything but the batch dimension). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}

function checkedProbability(p: number, layer: string): number {
  if (!(p >= 0 && p <= 1))
    throw new RangeError(`${layer}: dropout probability has to be between 0 and 1, but got ${p}`);
  return p;
}

/** Zeroes elements with probability p in training and scales the rest by 1/(1-p); identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkedProbability(p, "Dropout");
  }
  override forward(x: Tensor): Tensor {
    return F.dropout(x, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** Zeroes whole channels with probability p in training; identity in eval. */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkedProbability(p, "Dropout2d");
  }
  override forward(x: Tensor): Tensor {
    return F.dropout2d(x, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/**
 * A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1). With
 * `paddingIdx`, that row starts at zero and gets no gradient.
 */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options?: { paddingIdx?: number | null },
  ) {
    super();
    const o = checkOptions("Embedding", options, ["paddingIdx"]);
    positiveInteger(numEmbeddings, "numEmbeddings", "Embedding");
    positiveInteger(embeddingDim, "embeddingDim", "Embedding");
    const paddingIdx = o.paddingIdx ?? null;
    if (
      paddingIdx !== null &&
      !(Number.isInteger(paddingIdx) && paddingIdx >= -numEmbeddings && paddingIdx < numEmbeddings)
    ) {
      throw new RangeError(`Embedding: paddingIdx must be within num_embeddings (${numEmbeddings}), got ${paddingIdx}`);
    }
    this.paddingIdx = paddingIdx !== null && paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
    this.weight = new Parameter(normal_(Tensor.empty([numEmbeddings, embeddingDim])));
    if (this.paddingIdx !== null) {
      const row = this.paddingIdx;
      noGrad(() => this.weight.copy_(this.weight.maskedFill(arangeColumn(numEmbeddings).eq(row), 0)));
    }
  }
  override forward(indices: Tensor | number[]): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }
}

/** 0, 1, …, n-1 as an [n, 1] float32 column. */
function arangeColumn(n: number): Tensor {
  return fromValues(
    Array.from({ length: n }, (_, i) => i),
    [n, 1],
  );
}

/** Runs its modules in order, registered as "0", "1", … (or by the names given to addModule). */
export class Sequential extends Module {
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => this.addModule(String(i), m));
  }
  override forward(x: unknown): unknown {
    let out = x;
    for (const m of this.children()) out = m.call(out);
    return out;
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): Module {
    const list = [...this.children()];
    const m = list[i < 0 ? i + list.length : i];
    if (!m) throw new RangeError(`index ${i} is out of range for a Sequential of ${list.length} modules`);
    return m;
  }
  get length(): number {
    return [...this.children()].length;
  }
}
