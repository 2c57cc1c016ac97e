/**
 * MultiplicativeLR: each epoch multiplies each group's rate by a function of the epoch.
 *
 *   lr_0 = lr (unchanged),   lr_e = lr_{e−1} · λ(e)   for e > 0
 *
 * The rate is updated from its current value, so other schedulers may act on the same optimizer.
 * There is no closed form: `step(epoch)` applies λ(epoch) once to the current rate.
 *
 * State dict: as `LambdaLR` — `lr_lambdas` holds `null` for plain functions (not serialised) and
 * the own data fields of callable objects (objects with a `call(epoch)` method).
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { evaluateLrLambda, loadLrLambdas, lrLambdasFor, saveLrLambdas, type LrLambda } from "./lambda_lr.js";
import { LRScheduler, type SchedulerOptions, type SchedulerStateDict } from "./lr_scheduler.js";

export class MultiplicativeLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], options?: SchedulerOptions) {
    const { lastEpoch = -1, verbose = false } = checkOptions("MultiplicativeLR", options, ["lastEpoch", "verbose"]);
    const lrLambdas = lrLambdasFor(optimizer, lrLambda);
    super(optimizer, lastEpoch, verbose);
    this.lrLambdas = lrLambdas;
    this.initialStep();
  }

  protected override getLr(): number[] {
    if (this.lastEpoch > 0) {
      return this.groups.map((group, i) => group.lr * evaluateLrLambda(this.lrLambdas[i], this.lastEpoch));
    }
    return this.currentLrs();
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: saveLrLambdas(this.lrLambdas) };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    super.loadStateDict(stateDict);
    loadLrLambdas(this.lrLambdas, stateDict.lr_lambdas);
  }
}
