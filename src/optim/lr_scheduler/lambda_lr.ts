/**
 * LambdaLR: each group's rate is its initial rate times a function of the epoch.
 *
 *   lr_e = initial_lr · λ(e)
 *
 * λ may be one function for every group or one per group. It is called with the integer epoch
 * (`lastEpoch`) and returns a factor; any factor schedule from `schedules.ts` fits
 * (`new LambdaLR(opt, stepDecay({ stepSize: 30 }))`). The factor for epoch 0 applies at
 * construction: `new LambdaLR(opt, (e) => (e + 1) + (e + 1))` turns a rate of 0.1 into 0.2 at once.
 *
 * State dict: functions are not serialised. As in PyTorch, `lr_lambdas` holds `null` for each plain
 * function (they are code, not data; reconstruct the scheduler with the same functions before
 * loading), and for a *callable object* — here an object with a `call(epoch)` method, gradstep's
 * convention for callable objects — a copy of its own data fields (PyTorch's `fn.__dict__`), which
 * `loadStateDict` writes back into the object.
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions, type SchedulerStateDict } from "./lr_scheduler.js";

/** An object whose `call(epoch)` gives the factor; its own data fields are saved in the state dict. */
export interface CallableLrLambda {
  call(epoch: number): number;
}

/** A factor as a function of the epoch, or a callable object. */
export type LrLambda = ((epoch: number) => number) | CallableLrLambda;

/** λ(epoch), whichever form λ takes. */
export function evaluateLrLambda(lrLambda: LrLambda, epoch: number): number {
  return typeof lrLambda === "function" ? lrLambda(epoch) : lrLambda.call(epoch);
}

/** One λ per group: a single λ is shared; a list must match the groups ("Expected 2 lr_lambdas, but got 3"). */
export function lrLambdasFor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[]): LrLambda[] {
  const count = optimizer.paramGroups.length;
  if (!Array.isArray(lrLambda)) return Array.from({ length: count }, () => lrLambda as LrLambda);
  if (lrLambda.length !== count) throw new RangeError(`Expected ${count} lr_lambdas, but got ${lrLambda.length}`);
  return [...lrLambda];
}

/** `lr_lambdas` for a state dict: null for functions, the own data fields of callable objects. */
export function saveLrLambdas(lrLambdas: readonly LrLambda[]): (Record<string, unknown> | null)[] {
  return lrLambdas.map((lrLambda) => {
    if (typeof lrLambda === "function") return null;
    return Object.fromEntries(Object.entries(lrLambda).filter(([, value]) => typeof value !== "function"));
  });
}

/** Writes saved fields back into the callable objects; `null` entries (functions) are skipped. */
export function loadLrLambdas(lrLambdas: readonly LrLambda[], saved: unknown): void {
  if (!Array.isArray(saved)) return;
  saved.forEach((fields, i) => {
    if (fields !== null && fields !== undefined && i < lrLambdas.length) Object.assign(lrLambdas[i], fields);
  });
}

export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[], options?: SchedulerOptions) {
    const { lastEpoch = -1, verbose = false } = checkOptions("LambdaLR", options, ["lastEpoch", "verbose"]);
    const lrLambdas = lrLambdasFor(optimizer, lrLambda);
    super(optimizer, lastEpoch, verbose);
    this.lrLambdas = lrLambdas;
    this.initialStep();
  }

  protected override getLr(): number[] {
    return this.baseLrs.map((baseLr, i) => baseLr * evaluateLrLambda(this.lrLambdas[i], this.lastEpoch));
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lr_lambdas: saveLrLambdas(this.lrLambdas) };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    super.loadStateDict(stateDict);
    loadLrLambdas(this.lrLambdas, stateDict.lr_lambdas);
  }
}
