/**
 * Batch normalisation (Ioffe & Szegedy, 2015) and layer normalisation (Ba et al., 2016).
 *
 * BatchNorm normalises each channel c over the batch (and spatial) positions:
 *     y = (x - E[x]) / √(Var[x] + eps) · weight[c] + bias[c]
 * In training E and Var are the batch's own mean and biased variance, and the running estimates
 * are updated as PyTorch does:
 *     running_mean ← (1 - momentum) · running_mean + momentum · mean
 *     running_var  ← (1 - momentum) · running_var  + momentum · var · n / (n - 1)   (unbiased)
 * (momentum null: the cumulative average, factor 1 / num_batches_tracked). In eval mode the running
 * estimates are used instead. The normalisation is composed of differentiable ops, so its gradient
 * (through the batch statistics too) comes from autograd.
 */
import { noGrad } from "../autograd.js";
import { checkOptions } from "../options.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { Module, Parameter } from "./module.js";

export interface BatchNormOptions {
  eps?: number;
  /** weight of the newest batch in the running statistics; null for a cumulative average */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}
const BATCHNORM_OPTIONS = ["eps", "momentum", "affine", "trackRunningStats"] as const;

abstract class BatchNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions | undefined,
    name: string,
  ) {
    super();
    const o = checkOptions(name, options, BATCHNORM_OPTIONS);
    if (!Number.isInteger(numFeatures) || numFeatures <= 0)
      throw new RangeError(`${name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = o.eps ?? 1e-5;
    this.momentum = o.momentum === undefined ? 0.1 : o.momentum;
    this.affine = o.affine ?? true;
    this.trackRunningStats = o.trackRunningStats ?? true;
    this.weight = this.affine ? new Parameter(Tensor.empty([numFeatures]).fill_(1)) : null;
    this.bias = this.affine ? new Parameter(Tensor.empty([numFeatures])) : null;
    if (this.trackRunningStats) {
      // PyTorch's state-dict keys: running_mean, running_var, num_batches_tracked
      this.registerBuffer("running_mean", Tensor.empty([numFeatures]));
      this.registerBuffer("running_var", Tensor.empty([numFeatures]).fill_(1));
      this.registerBuffer("num_batches_tracked", Tensor.empty([], "int64"));
    }
  }

  /** The input's valid ranks, checked with PyTorch's message. */
  protected abstract checkInput(x: Tensor): void;

  private buffer(name: "running_mean" | "running_var" | "num_batches_tracked"): Tensor {
    return (this as unknown as Record<string, Tensor>)[name];
  }
  /** The buffers under their camelCase names (the state dict keeps PyTorch's snake_case keys). */
  get runningMean(): Tensor | null {
    return this.trackRunningStats ? this.buffer("running_mean") : null;
  }
  get runningVar(): Tensor | null {
    return this.trackRunningStats ? this.buffer("running_var") : null;
  }
  get numBatchesTracked(): Tensor | null {
    return this.trackRunningStats ? this.buffer("num_batches_tracked") : null;
  }

  override forward(x: Tensor): Tensor {
    this.checkInput(x);
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(
        `running_mean should contain ${x.shape[1]} elements not ${this.numFeatures} (input of shape ${formatShape(x.shape)})`,
      );
    }
    // statistics over every dimension but the channels (dim 1)
    const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
    const view = x.shape.map((s, i) => (i === 1 ? s : 1));
    const useBatch = this.training || !this.trackRunningStats;
    let mean: Tensor;
    let variance: Tensor;
    if (useBatch) {
      const count = x.numel() / this.numFeatures;
      if (this.training && count <= 1)
        throw new RangeError(
          `Expected more than 1 value per channel when training, got input size ${formatShape(x.shape)}`,
        );
      mean = x.mean(dims, true);
      variance = x.sub(mean).square().mean(dims, true);
      if (this.training && this.trackRunningStats) this.updateRunningStats(mean, variance, count);
    } else {
      mean = this.buffer("running_mean").reshape(view);
      variance = this.buffer("running_var").reshape(view);
    }
    let y = x.sub(mean).div(variance.add(this.eps).sqrt());
    if (this.weight) y = y.mul(this.weight.reshape(view));
    if (this.bias) y = y.add(this.bias.reshape(view));
    return y;
  }

  private updateRunningStats(mean: Tensor, variance: Tensor, count: number): void {
    noGrad(() => {
      const tracked = this.buffer("num_batches_tracked");
      tracked.add_(1);
      const factor = this.momentum ?? 1 / tracked.item();
      const runningMean = this.buffer("running_mean");
      const runningVar = this.buffer("running_var");
      runningMean.mul_(1 - factor).add_(mean.detach().reshape([-1]), factor);
      runningVar.mul_(1 - factor).add_(
        variance
          .detach()
          .reshape([-1])
          .mul(count / (count - 1)),
        factor,
      );
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** BatchNorm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options?: BatchNormOptions) {
    super(numFeatures, options, "BatchNorm1d");
  }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 2 && x.ndim !== 3)
      throw new RangeError(
        `BatchNorm1d: expected 2D or 3D input (got ${x.ndim}D input of shape ${formatShape(x.shape)})`,
      );
  }
}

/** BatchNorm over [N, C, H, W]. */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options?: BatchNormOptions) {
    super(numFeatures, options, "BatchNorm2d");
  }
  protected checkInput(x: Tensor): void {
    if (x.ndim !== 4)
      throw new RangeError(`BatchNorm2d: expected 4D input (got ${x.ndim}D input of shape ${formatShape(x.shape)})`);
  }
}

/** Normalises over the last dimensions `normalizedShape` of each sample: (x - mean) / √(var + eps) · weight + bias. */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  constructor(normalizedShape: number | number[], options?: { eps?: number; elementwiseAffine?: boolean }) {
    super();
    const o = checkOptions("LayerNorm", options, ["eps", "elementwiseAffine"]);
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    this.eps = o.eps ?? 1e-5;
    const affine = o.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(Tensor.empty(this.normalizedShape).fill_(1)) : null;
    this.bias = affine ? new Parameter(Tensor.empty(this.normalizedShape)) : null;
  }
  override forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.ndim - k);
    if (x.ndim < k || tail.some((s, i) => s !== this.normalizedShape[i])) {
      throw new RangeError(
        `Given normalized_shape=${formatShape(this.normalizedShape)}, expected input with shape [*, ${this.normalizedShape.join(", ")}], but got input of size ${formatShape(x.shape)}`,
      );
    }
    const dims = tail.map((_, i) => x.ndim - k + i);
    const mean = x.mean(dims, true);
    let y = x.sub(mean).div(x.sub(mean).square().mean(dims, true).add(this.eps).sqrt());
    if (this.weight) y = y.mul(this.weight);
    if (this.bias) y = y.add(this.bias);
    return y;
  }
  override extraRepr(): string {
    return `[${this.normalizedShape}], eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }
}
