/**
 * The layers of `nn`: each holds its parameters and calls the matching `nn.functional` op.
 */
import { Tensor } from "../tensor.js";
import * as F from "./functional.js";
import { defaultLayerInit, normal_ } from "./init.js";
import { Module, Parameter } from "./module.js";
import type { Pair } from "../ops/conv.js";
import { pair } from "../ops/conv.js";

function positiveInteger(value: number, what: string, layer: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${layer}: ${what} must be a positive integer, got ${value}`);
  return value;
}

/** y = x·Wᵀ + b with W [outFeatures, inFeatures]. */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, { bias = true }: { bias?: boolean } = {}) {
    super();
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
  padding?: Pair;
  bias?: boolean;
}

/** 2-D convolution with weight [outChannels, inChannels, kH, kW]. */
export class Conv2d extends Module {
  weight: Parameter;
  bias: Parameter | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Pair, options: Conv2dOptions = {}) {
    super();
    positiveInteger(inChannels, "inChannels", "Conv2d");
    positiveInteger(outChannels, "outChannels", "Conv2d");
    this.kernelSize = pair(kernelSize, "kernelSize");
    this.stride = pair(options.stride ?? 1, "stride");
    this.padding = pair(options.padding ?? 0, "padding");
    this.weight = new Parameter(Tensor.empty([outChannels, inChannels, ...this.kernelSize]));
    this.bias = options.bias ?? true ? new Parameter(Tensor.empty([outChannels])) : null;
    defaultLayerInit(this.weight, this.bias);
  }
  override forward(x: Tensor): Tensor {
    return F.conv2d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding });
  }
  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}], padding=[${this.padding}]`;
  }
}

export class MaxPool2d extends Module {
  readonly stride: Pair;
  readonly padding: Pair;
  constructor(readonly kernelSize: Pair, options: { stride?: Pair | null; padding?: Pair } = {}) {
    super();
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
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return x.flatten(this.startDim, this.endDim);
  }
}

function checkedProbability(p: number, layer: string): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${layer}: dropout probability has to be between 0 and 1, but got ${p}`);
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

/** A lookup table of `numEmbeddings` vectors of size `embeddingDim`, initialised N(0, 1). */
export class Embedding extends Module {
  weight: Parameter;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number) {
    super();
    positiveInteger(numEmbeddings, "numEmbeddings", "Embedding");
    positiveInteger(embeddingDim, "embeddingDim", "Embedding");
    this.weight = new Parameter(normal_(Tensor.empty([numEmbeddings, embeddingDim])));
  }
  override forward(indices: Tensor | number[]): Tensor {
    return F.embedding(indices, this.weight);
  }
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
