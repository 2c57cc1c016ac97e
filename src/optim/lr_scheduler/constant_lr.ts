/**
 * ConstantLR: multiply each group's rate by a constant factor until epoch `totalIters`, then restore it.
 *
 *   chainable:   lr_0 = lr · factor;  lr_T = lr_{T−1} / factor at e = totalIters;  otherwise unchanged
 *   closed form: lr_e = initial_lr · (factor + [e ≥ T] · (1 − factor))          (`constantWarmup`)
 *
 * With factor 0.5 and totalIters 4 from 0.05: 0.025 for epochs 0–3, then 0.05.
 * A factor of 0 passes PyTorch's check but divides by zero at epoch `totalIters`; as in PyTorch,
 * that step raises Python's ZeroDivisionError.
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions } from "./lr_scheduler.js";
import { pythonDivide } from "./numerics.js";
import { constantWarmup } from "./schedules.js";

export interface ConstantLROptions extends SchedulerOptions {
  /** The factor applied until `totalIters`, in [0, 1]. Default 1/3. */
  factor?: number;
  /** The epoch at which the rate returns to its base. Default 5. */
  totalIters?: number;
}

export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  protected override readonly savedFields = { factor: "factor", total_iters: "totalIters" };

  constructor(optimizer: Optimizer, options?: ConstantLROptions) {
    const {
      factor = 1 / 3,
      totalIters = 5,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions("ConstantLR", options, ["factor", "totalIters", "lastEpoch", "verbose"]);
    if (factor > 1 || factor < 0)
      throw new RangeError("Constant multiplicative factor expected to be between 0 and 1.");
    super(optimizer, lastEpoch, verbose);
    this.factor = factor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((group) => group.lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.currentLrs();
    return this.groups.map((group) => group.lr * pythonDivide(1, this.factor));
  }

  protected override closedFormLr(): number[] {
    const factor = constantWarmup({ factor: this.factor, totalIters: this.totalIters });
    return this.baseLrs.map((baseLr) => baseLr * factor(this.lastEpoch));
  }
}
