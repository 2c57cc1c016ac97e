/**
 * ExponentialLR: multiply each group's rate by γ every epoch.
 *
 *   chainable:   lr_0 = lr;  lr_e = lr_{e−1} · γ
 *   closed form: lr_e = initial_lr · γ^e                                        (`exponentialDecay`)
 */
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, loaded, type SchedulerOptions, type SchedulerStateDict } from "./lr_scheduler.js";
import { exponentialDecay } from "./schedules.js";

export interface ExponentialLROptions extends SchedulerOptions {
  /** The factor applied every epoch. */
  gamma: number;
}

export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: Optimizer, { gamma, lastEpoch = -1, verbose = false }: ExponentialLROptions) {
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

  override stateDict(): SchedulerStateDict {
    return { gamma: this.gamma, ...super.stateDict() };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    super.loadStateDict(stateDict);
    this.gamma = loaded(stateDict, "gamma", this.gamma);
  }
}
