/**
 * StepLR: multiply each group's rate by γ every `stepSize` epochs.
 *
 *   chainable:   lr_e = lr_{e−1} · γ  if e > 0 and e mod stepSize = 0,  else lr_{e−1}
 *   closed form: lr_e = initial_lr · γ^⌊e / stepSize⌋                   (`stepDecay`)
 *
 * With stepSize 2 and γ 0.1 from 0.01: 0.01, 0.01, 0.001, 0.001, 0.0001, ...
 * PyTorch does not check `stepSize`; a zero fails at the first step with Python's
 * ZeroDivisionError, as there.
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions } from "./lr_scheduler.js";
import { ZeroDivisionError, pythonModulo } from "./numerics.js";
import { stepDecay } from "./schedules.js";

export interface StepLROptions extends SchedulerOptions {
  /** Epochs between decays. */
  stepSize: number;
  /** The factor applied every `stepSize` epochs. Default 0.1. */
  gamma?: number;
}

export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  protected override readonly savedFields = { step_size: "stepSize", gamma: "gamma" };

  constructor(optimizer: Optimizer, options: StepLROptions) {
    const {
      stepSize,
      gamma = 0.1,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions("StepLR", options, ["stepSize", "gamma", "lastEpoch", "verbose"], ["stepSize"]);
    super(optimizer, lastEpoch, verbose);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    if (this.lastEpoch === 0 || pythonModulo(this.lastEpoch, this.stepSize) !== 0) return this.currentLrs();
    return this.groups.map((group) => group.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    if (this.stepSize === 0)
      throw new ZeroDivisionError(
        Number.isInteger(this.lastEpoch) ? "integer division or modulo by zero" : "float floor division by zero",
      );
    const factor = stepDecay({ stepSize: this.stepSize, gamma: this.gamma });
    return this.baseLrs.map((baseLr) => baseLr * factor(this.lastEpoch));
  }
}
