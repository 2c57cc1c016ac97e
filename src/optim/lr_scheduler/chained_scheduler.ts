/**
 * ChainedScheduler: step several schedulers on one optimizer together, one call for all.
 *
 *   step():  for each scheduler s, in order: s.step()
 *
 * With chainable schedulers the effects multiply: ConstantLR (factor 0.1, 2 iterations) chained
 * with ExponentialLR (γ 0.9) from lr 1 gives 0.09, 0.081, 0.729, 0.6561, 0.59049, ...
 * (`schedules.multiplySchedules` is the pure-function analogue.)
 *
 * The children took their initial steps when they were built; construction only records the
 * rates. As in PyTorch 1.13, a ChainedScheduler keeps no epoch of its own (`lastEpoch` stays −1)
 * and its state dict holds `_last_lr` and `_schedulers`, the children's own state dicts.
 */
import { LRScheduler, checkStateDict, loaded, type SchedulerStateDict } from "./lr_scheduler.js";

export class ChainedScheduler extends LRScheduler {
  readonly schedulers: LRScheduler[];

  constructor(schedulers: LRScheduler[]) {
    if (!Array.isArray(schedulers))
      throw new TypeError(`ChainedScheduler expects a list of schedulers, got ${String(schedulers)}`);
    if (schedulers.length === 0) throw new RangeError("ChainedScheduler expects at least one scheduler");
    for (let i = 1; i < schedulers.length; i++) {
      if (schedulers[i].optimizer !== schedulers[0].optimizer) {
        throw new RangeError(
          "ChainedScheduler expects all schedulers to belong to the same optimizer, but " +
            `got schedulers at index 0 and ${i} to be different`,
        );
      }
    }
    super(schedulers[0].optimizer);
    this.schedulers = [...schedulers];
    this.lastLr = this.currentLrs();
  }

  /** The children compute the rates; this reports the current ones. */
  protected override getLr(): number[] {
    return this.currentLrs();
  }

  /** Steps every scheduler once, in order. */
  override step(): void {
    for (const scheduler of this.schedulers) scheduler.step();
    this.lastLr = this.currentLrs();
  }

  override stateDict(): SchedulerStateDict {
    return { _last_lr: [...this.lastLr], _schedulers: this.schedulers.map((scheduler) => scheduler.stateDict()) };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    checkStateDict(stateDict);
    this.lastLr = loaded(stateDict, "_last_lr", this.lastLr);
    const children = stateDict._schedulers;
    if (Array.isArray(children))
      children.forEach((child, i) => this.schedulers[i].loadStateDict(child as SchedulerStateDict));
  }
}
