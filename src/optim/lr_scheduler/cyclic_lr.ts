/**
 * CyclicLR: cycle each group's rate between `baseLr` and `maxLr` in a triangle wave (Smith,
 * "Cyclical Learning Rates for Training Neural Networks", https://arxiv.org/abs/1506.01186;
 * adapted, as PyTorch's, from bckenstler/CLR). Meant to be stepped after every batch.
 *
 *   cycle = ⌊1 + t / (up + down)⌋,   x = 1 + t / (up + down) − cycle
 *   h = x / r if x ≤ r, else (x − 1) / (r − 1)                 (r = up / (up + down); h rises 0 → 1 → 0)
 *   lr_t = baseLr + (maxLr − baseLr) · h · scale(cycle or t)
 *   momentum_t = maxMomentum − (maxMomentum − baseMomentum) · h · scale(cycle or t)
 *
 * Modes: `triangular` (scale 1), `triangular2` (amplitude halved every cycle: 1 / 2^(cycle − 1)),
 * `exp_range` (γ^t, by iteration). A custom `scaleFn` overrides the mode, evaluated on the cycle
 * number or the iteration as `scaleMode` says. The rate is computed from the bounds, not from the
 * current rate (no chainable form).
 *
 * Momentum cycles inversely to the rate when `cycleMomentum` is true (the default); the optimizer
 * must then have `momentum` in its defaults ("optimizer must support momentum with
 * `cycle_momentum` option enabled" — PyTorch 1.13 does not cycle Adam's β₁ here; OneCycleLR does).
 * A fresh start (`lastEpoch = −1`) sets each group's rate to `baseLr` and momentum to `baseMomentum`.
 *
 * State dict: PyTorch's keys. `_scale_fn_custom` and `_scale_fn_ref` are functions in PyTorch and
 * are saved as `null` (not serialised); loading keeps this scheduler's own `scaleFn`, and a
 * built-in mode's policy follows the loaded `mode` (as PyTorch ≥ 2.0 does).
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import {
  LRScheduler,
  checkOptimizer,
  groupsOf,
  perGroup,
  type SchedulerOptions,
  type SchedulerStateDict,
} from "./lr_scheduler.js";
import { ZeroDivisionError } from "./numerics.js";
import { cyclicPosition, cyclicScale, type CyclicMode } from "./schedules.js";

export interface CyclicLROptions extends SchedulerOptions {
  /** The lower bound of the rate: one number or one per group. */
  baseLr: number | readonly number[];
  /** The upper bound of the rate: one number or one per group. */
  maxLr: number | readonly number[];
  /** Iterations in the rising half of a cycle. Default 2000. */
  stepSizeUp?: number;
  /** Iterations in the falling half. Default `stepSizeUp`. */
  stepSizeDown?: number;
  /** `triangular` (default), `triangular2` or `exp_range`; ignored when `scaleFn` is given. */
  mode?: CyclicMode;
  /** The base of `exp_range`'s γ^iteration. Default 1. */
  gamma?: number;
  /** A custom amplitude scaling, with 0 ≤ scaleFn(x) ≤ 1; overrides `mode`. */
  scaleFn?: (x: number) => number;
  /** Whether `scaleFn` takes the cycle number (`cycle`, default) or the iteration (`iterations`). */
  scaleMode?: "cycle" | "iterations";
  /** Cycle momentum inversely to the rate. Default true. */
  cycleMomentum?: boolean;
  /** The momentum at the rate's peak. Default 0.8. */
  baseMomentum?: number | readonly number[];
  /** The momentum at the rate's trough. Default 0.9. */
  maxMomentum?: number | readonly number[];
}

export class CyclicLR extends LRScheduler {
  maxLrs: number[];
  totalSize: number;
  stepRatio: number;
  mode: string;
  gamma: number;
  scaleMode: "cycle" | "iterations";
  cycleMomentum: boolean;
  baseMomentums: number[] | undefined;
  maxMomentums: number[] | undefined;
  private readonly customScaleFn: ((x: number) => number) | undefined;

  protected override readonly savedFields = {
    max_lrs: "maxLrs",
    total_size: "totalSize",
    step_ratio: "stepRatio",
    mode: "mode",
    gamma: "gamma",
    scale_mode: "scaleMode",
    cycle_momentum: "cycleMomentum",
    base_momentums: "baseMomentums",
    max_momentums: "maxMomentums",
  };

  constructor(optimizer: Optimizer, options: CyclicLROptions) {
    const {
      baseLr,
      maxLr,
      stepSizeUp = 2000,
      stepSizeDown,
      mode = "triangular",
      gamma = 1,
      scaleFn,
      scaleMode = "cycle",
      cycleMomentum = true,
      baseMomentum = 0.8,
      maxMomentum = 0.9,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions(
      "CyclicLR",
      options,
      [
        "baseLr",
        "maxLr",
        "stepSizeUp",
        "stepSizeDown",
        "mode",
        "gamma",
        "scaleFn",
        "scaleMode",
        "cycleMomentum",
        "baseMomentum",
        "maxMomentum",
        "lastEpoch",
        "verbose",
      ],
      ["baseLr", "maxLr"],
    );
    checkOptimizer(optimizer);
    const groups = groupsOf(optimizer);

    const baseLrs = perGroup("base_lr", optimizer, baseLr);
    if (lastEpoch === -1) baseLrs.forEach((lr, i) => (groups[i].lr = lr));
    const maxLrs = perGroup("max_lr", optimizer, maxLr);

    const totalSize = stepSizeUp + (stepSizeDown ?? stepSizeUp);
    if (totalSize === 0) throw new ZeroDivisionError("float division by zero");
    const stepRatio = stepSizeUp / totalSize;

    if (!["triangular", "triangular2", "exp_range"].includes(mode) && scaleFn === undefined) {
      throw new RangeError("mode is invalid and scale_fn is None");
    }

    let baseMomentums: number[] | undefined;
    let maxMomentums: number[] | undefined;
    if (cycleMomentum) {
      if (!("momentum" in optimizer.defaults))
        throw new RangeError("optimizer must support momentum with `cycle_momentum` option enabled");
      const momentums = perGroup("base_momentum", optimizer, baseMomentum);
      if (lastEpoch === -1) momentums.forEach((momentum, i) => (groups[i].momentum = momentum));
      baseMomentums = groups.map((group) => group.momentum as number);
      maxMomentums = perGroup("max_momentum", optimizer, maxMomentum);
    }

    super(optimizer, lastEpoch, verbose);
    this.maxLrs = maxLrs;
    this.totalSize = totalSize;
    this.stepRatio = stepRatio;
    this.mode = mode;
    this.gamma = gamma;
    this.customScaleFn = scaleFn;
    this.scaleMode = scaleFn === undefined ? cyclicScale(mode, gamma).scaleMode : scaleMode;
    this.cycleMomentum = cycleMomentum;
    this.baseMomentums = baseMomentums;
    this.maxMomentums = maxMomentums;
    this.initialStep();
    this.baseLrs = baseLrs; // after the initial step, as in PyTorch (which reads initial_lr for it)
  }

  /** The amplitude scaling: the custom `scaleFn`, or the mode's policy. */
  scaleFn(x: number): number {
    if (this.customScaleFn !== undefined) return this.customScaleFn(x);
    return cyclicScale(this.mode as CyclicMode, this.gamma).scaleFn(x);
  }

  /** The rates for iteration `lastEpoch`; also writes the cycled momentum into the groups. */
  protected override getLr(): number[] {
    const { cycle, scaleFactor } = this.position();
    const scale = this.scaleFn(this.scaleMode === "cycle" ? cycle : this.lastEpoch);
    const lrs = this.baseLrs.map((baseLr, i) => baseLr + (this.maxLrs[i] - baseLr) * scaleFactor * scale);
    if (this.cycleMomentum) {
      const groups = this.groups;
      this.baseMomentums!.forEach((baseMomentum, i) => {
        const maxMomentum = this.maxMomentums![i];
        groups[i].momentum = maxMomentum - (maxMomentum - baseMomentum) * scaleFactor * scale;
      });
    }
    return lrs;
  }

  /** Where `lastEpoch` sits in the wave, with Python's error for a zero-length half at its edge. */
  private position(): { cycle: number; scaleFactor: number } {
    const { cycle, scaleFactor } = cyclicPosition(this.lastEpoch, this.totalSize, this.stepRatio);
    if (!Number.isFinite(scaleFactor)) throw new ZeroDivisionError("float division by zero");
    return { cycle, scaleFactor };
  }

  /** The scale function is not saved (PyTorch writes None for it); the momentums only when cycled. */
  override stateDict(): SchedulerStateDict {
    return { _scale_fn_custom: null, _scale_fn_ref: null, ...super.stateDict() };
  }
}
