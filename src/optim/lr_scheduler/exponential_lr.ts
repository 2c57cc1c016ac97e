/**
 * ExponentialLR: multiply each group's rate by γ every epoch.
 *
 *   chainable:   lr_0 = lr;  lr_e = lr_{e−1} · γ
 *   closed form: lr_e = initial_lr · γ^e                                        (`exponentialDecay`)
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions } from "./lr_scheduler.js";
import { exponentialDecay } from "./schedules.js";

export interface ExponentialLROptions extends SchedulerOptions {
  /** The factor applied every epoch. */
  gamma: number;
}

export class ExponentialLR extends LRScheduler {
  gamma: number;

  protected override readonly savedFields = { gamma: "gamma" };

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    const {
      gamma,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions("ExponentialLR", options, ["gamma", "lastEpoch", "verbose"], ["gamma"]);
    super(optimizer, lastEpoch, verbose);
    this.gamma = gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    if (this.lastEpoch === 0) return this.currentLrs();
    return this.groups.map((group) => group.lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    const factor = exponentialDecay({ gamma: this.gamma });
    return this.baseLrs.map((baseLr) => baseLr * factor(this.lastEpoch));
  }
}
