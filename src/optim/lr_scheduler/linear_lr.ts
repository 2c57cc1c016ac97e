/**
 * LinearLR: change each group's rate by a linearly changing factor until epoch `totalIters`.
 *
 *   closed form: lr_e = initial_lr · (s + (f − s) · min(T, e) / T)              (`linearWarmup`)
 *   chainable:   lr_0 = lr · s;  for 0 < e ≤ T: lr_e = lr_{e−1} · (1 + (f − s) / (T·s + (e − 1)(f − s)));
 *                past T unchanged
 *
 * (s = startFactor, f = endFactor, T = totalIters; the chainable ratio is factor(e) / factor(e − 1).)
 * With s = 0.5 and T = 4 from 0.05: 0.025, 0.03125, 0.0375, 0.04375, 0.05, 0.05, ...
 * A start factor of 0 passes PyTorch's check but divides by zero at epoch 1; as in PyTorch, that
 * step raises Python's ZeroDivisionError.
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions } from "./lr_scheduler.js";
import { ZeroDivisionError, pythonDivide } from "./numerics.js";
import { linearWarmup } from "./schedules.js";

export interface LinearLROptions extends SchedulerOptions {
  /** The factor at epoch 0, in [0, 1]. Default 1/3. */
  startFactor?: number;
  /** The factor from `totalIters` on, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Epochs over which the factor moves. Default 5. */
  totalIters?: number;
}

export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  protected override readonly savedFields = {
    start_factor: "startFactor",
    end_factor: "endFactor",
    total_iters: "totalIters",
  };

  constructor(optimizer: Optimizer, options?: LinearLROptions) {
    const {
      startFactor = 1 / 3,
      endFactor = 1,
      totalIters = 5,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions("LinearLR", options, ["startFactor", "endFactor", "totalIters", "lastEpoch", "verbose"]);
    if (startFactor > 1 || startFactor < 0)
      throw new RangeError("Starting multiplicative factor expected to be between 0 and 1.");
    if (endFactor > 1 || endFactor < 0)
      throw new RangeError("Ending multiplicative factor expected to be between 0 and 1.");
    super(optimizer, lastEpoch, verbose);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override getLr(): number[] {
    if (this.lastEpoch === 0) return this.groups.map((group) => group.lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.currentLrs();
    const change = this.endFactor - this.startFactor;
    const ratio = 1 + pythonDivide(change, this.totalIters * this.startFactor + (this.lastEpoch - 1) * change);
    return this.groups.map((group) => group.lr * ratio);
  }

  protected override closedFormLr(): number[] {
    if (this.totalIters === 0) throw new ZeroDivisionError("float division by zero");
    const factor = linearWarmup({
      startFactor: this.startFactor,
      endFactor: this.endFactor,
      totalIters: this.totalIters,
    });
    return this.baseLrs.map((baseLr) => baseLr * factor(this.lastEpoch));
  }
}
