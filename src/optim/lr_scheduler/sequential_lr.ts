/**
 * SequentialLR: hand the optimizer from one scheduler to the next at milestone epochs.
 *
 *   epochs [0, m₁) → schedulers[0],  [m₁, m₂) → schedulers[1],  ...
 *
 * Construction resets every group's rate to its `initialLr`, undoes the initial step the child
 * schedulers took when they were built, and takes it again for the first child only. At a
 * milestone the next child is stepped with `step(0)`: it restarts from epoch 0 in its closed form
 * where it has one (so a decay after a warm-up starts from the base rate). E.g. ConstantLR
 * (factor 0.1, 2 iterations) then ExponentialLR (γ 0.9), milestone 2, from lr 1:
 * 0.1, 0.1, 0.9, 0.81, 0.729, ...  (`schedules.joinSchedules` is the pure-function analogue.)
 *
 * Like PyTorch 1.13, the restart at a milestone goes through the deprecated `step(epoch)`, which
 * warns once. State dict: `_milestones`, `last_epoch`, `_last_lr` and `_schedulers`, the children's
 * own state dicts, as in PyTorch.
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, checkStateDict, loaded, type SchedulerOptions, type SchedulerStateDict } from "./lr_scheduler.js";
import { bisectRight } from "./schedules.js";

export interface SequentialLROptions extends SchedulerOptions {
  /** The schedulers, in order, all built on this optimizer. */
  schedulers: LRScheduler[];
  /** The epochs at which each next scheduler takes over: one fewer than the schedulers. */
  milestones: readonly number[];
}

export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  milestones: number[];

  constructor(optimizer: Optimizer, options: SequentialLROptions) {
    const {
      schedulers,
      milestones,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions(
      "SequentialLR",
      options,
      ["schedulers", "milestones", "lastEpoch", "verbose"],
      ["schedulers", "milestones"],
    );
    schedulers.forEach((scheduler, i) => {
      if (scheduler.optimizer !== optimizer) {
        throw new RangeError(
          "Sequential Schedulers expects all schedulers to belong to the same optimizer, but " +
            `got schedulers at index ${i} to be different than the optimizer passed in.`,
        );
      }
    });
    if (milestones.length !== schedulers.length - 1) {
      throw new RangeError(
        "Sequential Schedulers expects number of schedulers provided to be one more " +
          "than the number of milestone points, but got number of schedulers " +
          `${schedulers.length} and the number of milestones to be equal to ${milestones.length}`,
      );
    }
    super(optimizer, lastEpoch, verbose);
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = lastEpoch + 1;

    for (const group of this.groups) group.lr = group.initialLr as number; // back to the initial rates
    for (const scheduler of this.schedulers) scheduler.lastEpoch -= 1; // undo the children's initial steps
    this.schedulers[0].initialStep(); // and take it for the first one only
    this.lastLr = this.schedulers[0].getLastLr();
  }

  /** The children compute the rates; this reports the current ones. */
  protected override getLr(): number[] {
    return this.currentLrs();
  }

  /** One epoch on: steps the child in charge of it (restarting it at epoch 0 at its milestone). */
  override step(): void {
    this.lastEpoch += 1;
    const index = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[index];
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.step(0);
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    return {
      _milestones: [...this.milestones],
      last_epoch: this.lastEpoch,
      _last_lr: [...this.lastLr],
      _schedulers: this.schedulers.map((scheduler) => scheduler.stateDict()),
    };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    checkStateDict(stateDict);
    this.milestones = loaded(stateDict, "_milestones", this.milestones);
    this.lastEpoch = loaded(stateDict, "last_epoch", this.lastEpoch);
    this.lastLr = loaded(stateDict, "_last_lr", this.lastLr);
    const children = stateDict._schedulers;
    if (Array.isArray(children))
      children.forEach((child, i) => this.schedulers[i].loadStateDict(child as SchedulerStateDict));
  }
}
