/**
 * MultiStepLR: multiply each group's rate by γ at every milestone epoch.
 *
 *   chainable:   lr_e = lr_{e−1} · γ^c(e),  c(e) = how many times e appears in `milestones`
 *   closed form: lr_e = initial_lr · γ^(number of milestones ≤ e)          (`multiStepDecay`)
 *
 * Milestones are counted like PyTorch's `Counter`: a milestone listed twice decays twice. The
 * state dict keeps PyTorch's layout, `milestones: { "30": 1, "80": 1 }` (epoch → count).
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions, type SchedulerStateDict } from "./lr_scheduler.js";
import { multiStepDecay } from "./schedules.js";

export interface MultiStepLROptions extends SchedulerOptions {
  /** Epochs at which to decay (increasing; repeats count). */
  milestones: readonly number[];
  /** The factor applied at each milestone. Default 0.1. */
  gamma?: number;
}

/** Milestone epoch → how many times it was listed (Python's `Counter`, in first-seen order). */
function countMilestones(milestones: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const milestone of milestones) counts.set(milestone, (counts.get(milestone) ?? 0) + 1);
  return counts;
}

export class MultiStepLR extends LRScheduler {
  milestones: Map<number, number>;
  gamma: number;

  protected override readonly savedFields = { gamma: "gamma" };

  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    const {
      milestones,
      gamma = 0.1,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions("MultiStepLR", options, ["milestones", "gamma", "lastEpoch", "verbose"], ["milestones"]);
    const counts = countMilestones(milestones);
    super(optimizer, lastEpoch, verbose);
    this.milestones = counts;
    this.gamma = gamma;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return this.currentLrs();
    return this.groups.map((group) => group.lr * this.gamma ** count);
  }

  protected override closedFormLr(): number[] {
    const elements = [...this.milestones].flatMap(([milestone, count]) =>
      Array.from({ length: count }, () => milestone),
    );
    const factor = multiStepDecay({ milestones: elements, gamma: this.gamma });
    return this.baseLrs.map((baseLr) => baseLr * factor(this.lastEpoch));
  }

  /** The milestones are saved as PyTorch's Counter (milestone → count); gamma and the rest by `savedFields`. */
  override stateDict(): SchedulerStateDict {
    return {
      milestones: Object.fromEntries([...this.milestones].map(([m, c]) => [String(m), c])),
      ...super.stateDict(),
    };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    super.loadStateDict(stateDict);
    const saved = stateDict.milestones;
    if (Array.isArray(saved)) this.milestones = countMilestones(saved as number[]);
    else if (saved !== undefined && saved !== null && typeof saved === "object") {
      this.milestones = new Map(Object.entries(saved as Record<string, number>).map(([m, c]) => [Number(m), c]));
    }
  }
}
