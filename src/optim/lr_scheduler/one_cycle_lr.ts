/**
 * OneCycleLR: the 1cycle policy (Smith & Topin, "Super-Convergence", https://arxiv.org/abs/1708.07120),
 * stepped after every batch for `totalSteps` batches (or `epochs · stepsPerEpoch`).
 *
 * Each group's rate rises from initial_lr = maxLr / divFactor to maxLr over the first `pctStart` of
 * the steps, then falls to min_lr = initial_lr / finalDivFactor (fastai's two phases). With
 * `threePhase` it rises, falls back to initial_lr symmetrically, and then anneals to min_lr (the
 * paper's schedule). Within a phase from a to b, with p the fraction of the phase done:
 *
 *   cos:    lr = b + (a − b)/2 · (1 + cos(π p))                        (`schedules.annealCos`)
 *   linear: lr = (b − a) · p + a                                       (`schedules.annealLinear`)
 *
 * Phase ends (PyTorch's `_schedule_phases`, `schedules.oneCyclePhases`): pctStart·T − 1, then T − 1;
 * or pctStart·T − 1, 2·pctStart·T − 2, T − 1. Momentum (or Adam's β₁ when the optimizer has `betas`)
 * moves the opposite way between `maxMomentum` and `baseMomentum` when `cycleMomentum` is true.
 *
 * A fresh start writes `initialLr`, `maxLr`, `minLr` (and `maxMomentum`, `baseMomentum`) into each
 * group; the rates are read from there at every step, as in PyTorch. Stepping past `totalSteps`
 * raises "Tried to step X times. The specified number of total steps is Y". A phase of zero length
 * (pctStart · totalSteps = 1) divides by zero at its step, raising Python's ZeroDivisionError, as
 * in PyTorch.
 *
 * State dict: PyTorch's keys, except the bound method `anneal_func`, which is not serialised: the
 * strategy is saved as `_anneal_func_type` ("cos" or "linear"), the key PyTorch ≥ 2.0 uses.
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { camelCase } from "../../options.js";
import { camelToSnake } from "../optimizer.js";
import {
  LRScheduler,
  checkOptimizer,
  groupsOf,
  perGroup,
  type SchedulerOptions,
  type SchedulerStateDict,
} from "./lr_scheduler.js";
import { pythonDivide, pythonStr } from "./numerics.js";
import {
  annealCos,
  annealLinear,
  oneCyclePhaseAt,
  oneCyclePhases,
  type OneCycleKey,
  type OneCyclePhase,
} from "./schedules.js";

export interface OneCycleLROptions extends SchedulerOptions {
  /** The peak rate: one number or one per group. */
  maxLr: number | readonly number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent raising the rate. Default 0.3. */
  pctStart?: number;
  /** `cos` (default) or `linear`. */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (or β₁) inversely to the rate. Default true. */
  cycleMomentum?: boolean;
  /** The momentum at the rate's peak. Default 0.85. */
  baseMomentum?: number | readonly number[];
  /** The momentum at the start and end. Default 0.95. */
  maxMomentum?: number | readonly number[];
  /** initial_lr = maxLr / divFactor. Default 25. */
  divFactor?: number;
  /** min_lr = initial_lr / finalDivFactor. Default 1e4. */
  finalDivFactor?: number;
  /** Use the paper's three phases instead of fastai's two. Default false. */
  threePhase?: boolean;
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  phases: OneCyclePhase[];
  annealStrategy: "cos" | "linear";
  cycleMomentum: boolean;
  /** Whether momentum lives in `betas[0]` (Adam-like optimizers) rather than `momentum`. */
  useBeta1: boolean | undefined;

  protected override readonly savedFields = {
    total_steps: "totalSteps",
    _anneal_func_type: "annealStrategy",
    cycle_momentum: "cycleMomentum",
    use_beta1: "useBeta1",
  };

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    const {
      maxLr,
      totalSteps,
      epochs,
      stepsPerEpoch,
      pctStart = 0.3,
      annealStrategy = "cos",
      cycleMomentum = true,
      baseMomentum = 0.85,
      maxMomentum = 0.95,
      divFactor = 25,
      finalDivFactor = 1e4,
      threePhase = false,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions(
      "OneCycleLR",
      options,
      [
        "maxLr",
        "totalSteps",
        "epochs",
        "stepsPerEpoch",
        "pctStart",
        "annealStrategy",
        "cycleMomentum",
        "baseMomentum",
        "maxMomentum",
        "divFactor",
        "finalDivFactor",
        "threePhase",
        "lastEpoch",
        "verbose",
      ],
      ["maxLr"],
    );
    checkOptimizer(optimizer);

    let steps: number;
    if (totalSteps === undefined && epochs === undefined && stepsPerEpoch === undefined) {
      throw new RangeError("You must define either total_steps OR (epochs AND steps_per_epoch)");
    } else if (totalSteps !== undefined) {
      if (!isPositiveInteger(totalSteps))
        throw new RangeError(`Expected positive integer total_steps, but got ${pythonStr(totalSteps)}`);
      steps = totalSteps;
    } else {
      if (!isPositiveInteger(epochs))
        throw new RangeError(`Expected positive integer epochs, but got ${pythonStr(epochs)}`);
      if (!isPositiveInteger(stepsPerEpoch))
        throw new RangeError(`Expected positive integer steps_per_epoch, but got ${pythonStr(stepsPerEpoch)}`);
      steps = epochs! * stepsPerEpoch!;
    }
    const phases = oneCyclePhases(steps, pctStart, threePhase);

    if (!(pctStart >= 0 && pctStart <= 1))
      throw new RangeError(`Expected float between 0 and 1 pct_start, but got ${pythonStr(pctStart)}`);
    if (annealStrategy !== "cos" && annealStrategy !== "linear") {
      throw new RangeError(
        `anneal_strategy must by one of 'cos' or 'linear', instead got ${pythonStr(annealStrategy)}`,
      );
    }

    const groups = groupsOf(optimizer);
    const maxLrs = perGroup("max_lr", optimizer, maxLr);
    if (lastEpoch === -1) {
      groups.forEach((group, i) => {
        const initialLr = maxLrs[i] / divFactor;
        group.initialLr = initialLr;
        group.maxLr = maxLrs[i];
        group.minLr = initialLr / finalDivFactor;
      });
    }

    let useBeta1: boolean | undefined;
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults) && !("betas" in optimizer.defaults)) {
        throw new RangeError("optimizer must support momentum with `cycle_momentum` option enabled");
      }
      useBeta1 = "betas" in optimizer.defaults;
      const maxMomentums = perGroup("max_momentum", optimizer, maxMomentum);
      const baseMomentums = perGroup("base_momentum", optimizer, baseMomentum);
      if (lastEpoch === -1) {
        groups.forEach((group, i) => {
          if (useBeta1) group.betas = [maxMomentums[i], ...(group.betas as number[]).slice(1)];
          else group.momentum = maxMomentums[i];
          group.maxMomentum = maxMomentums[i];
          group.baseMomentum = baseMomentums[i];
        });
      }
    }

    super(optimizer, lastEpoch, verbose);
    this.totalSteps = steps;
    this.phases = phases;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    return this.annealStrategy === "cos" ? annealCos(start, end, pct) : annealLinear(start, end, pct);
  }

  /** The rates for batch `lastEpoch`; also writes the cycled momentum (or β₁) into the groups. */
  protected override getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new RangeError(
        `Tried to step ${step + 1} times. The specified number of total steps is ${this.totalSteps}`,
      );
    }
    return this.groups.map((group) => {
      const { phase, startStep } = oneCyclePhaseAt(step, this.phases);
      const pct = pythonDivide(step - startStep, phase.endStep - startStep);
      const value = (key: OneCycleKey) => group[key] as number;
      const lr = this.anneal(value(phase.startLr), value(phase.endLr), pct);
      if (this.cycleMomentum) {
        const momentum = this.anneal(value(phase.startMomentum), value(phase.endMomentum), pct);
        if (this.useBeta1) group.betas = [momentum, ...(group.betas as number[]).slice(1)];
        else group.momentum = momentum;
      }
      return lr;
    });
  }

  /** The phases are saved as PyTorch's list of dicts naming the group keys; the rest by `savedFields`. */
  override stateDict(): SchedulerStateDict {
    const { total_steps, ...rest } = super.stateDict();
    return {
      total_steps,
      _schedule_phases: this.phases.map((phase) => ({
        end_step: phase.endStep,
        start_lr: camelToSnake(phase.startLr),
        end_lr: camelToSnake(phase.endLr),
        start_momentum: camelToSnake(phase.startMomentum),
        end_momentum: camelToSnake(phase.endMomentum),
      })),
      ...rest,
    };
  }

  override loadStateDict(stateDict: SchedulerStateDict): void {
    super.loadStateDict(stateDict);
    const phases = stateDict._schedule_phases;
    if (Array.isArray(phases)) {
      this.phases = phases.map((phase: Record<string, unknown>) => ({
        endStep: phase.end_step as number,
        startLr: camelCase(phase.start_lr as string) as OneCycleKey,
        endLr: camelCase(phase.end_lr as string) as OneCycleKey,
        startMomentum: camelCase(phase.start_momentum as string) as OneCycleKey,
        endMomentum: camelCase(phase.end_momentum as string) as OneCycleKey,
      }));
    }
  }
}
