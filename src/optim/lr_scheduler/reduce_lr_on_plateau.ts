/**
 * ReduceLROnPlateau: cut the rates when a monitored metric stops improving — the rule of the
 * ResNet paper (divide by 10 when validation error plateaus). Call `step(metric)` once per epoch
 * with, say, the validation loss.
 *
 *   improved  ⇔  min/rel: m < best · (1 − threshold)     min/abs: m < best − threshold
 *                max/rel: m > best · (1 + threshold)     max/abs: m > best + threshold
 *
 * An improvement sets `best = m` and resets the count of bad epochs; otherwise the count grows.
 * During a cooldown (after a cut) bad epochs are not counted. When more than `patience` epochs in a
 * row are bad, each group's rate becomes max(lr · factor, minLr) — unless that changes it by no
 * more than `eps` — and the cooldown starts. With patience 4 and a constant loss, the rate drops at
 * the 6th step and again 5 steps later.
 *
 * As in PyTorch 1.13, this is not an `LRScheduler`: it has no base rates, no epoch-0 step and no
 * closed form. `getLastLr()` gives the groups' rates after the last step (the current rates before
 * the first). The state dict has PyTorch's keys; `best` starts at ±Infinity, which
 * `JSON.stringify` writes as null: write it with `stateDictToJSON` (as Python's `json.dumps` does)
 * and read it with `stateDictFromJSON`. Loading null for `best` is an error, not a silent 0.
 */
import { checkOptions, describeValue } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import {
  EPOCH_DEPRECATION_WARNING,
  checkOptimizer,
  checkStateDict,
  formatEpoch,
  formatScientific,
  groupsOf,
  loadFields,
  loaded,
  saveFields,
  warnOnce,
  type SchedulerStateDict,
} from "./lr_scheduler.js";

export interface ReduceLROnPlateauOptions {
  /** `min` (default): the metric should fall; `max`: it should rise. */
  mode?: "min" | "max";
  /** The factor applied at a cut, below 1. Default 0.1. */
  factor?: number;
  /** Bad epochs tolerated before a cut. Default 10. */
  patience?: number;
  /** The smallest change that counts as an improvement. Default 1e-4. */
  threshold?: number;
  /** `rel` (default): threshold relative to the best value; `abs`: absolute. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a cut before counting bad epochs again. Default 0. */
  cooldown?: number;
  /** The lowest rate: one number or one per group. Default 0. */
  minLr?: number | readonly number[];
  /** Cuts smaller than this are skipped. Default 1e-8. */
  eps?: number;
  /** Print a line for every cut, in PyTorch's words. */
  verbose?: boolean;
}

/** Something `float()` accepts: a number, or a one-element tensor (anything with `item()`). */
export type Metric = number | { item(): number };

export class ReduceLROnPlateau {
  readonly optimizer: Optimizer;
  factor: number;
  minLrs: number[];
  patience: number;
  verbose: boolean;
  cooldown: number;
  cooldownCounter = 0;
  mode: "min" | "max" = "min";
  threshold: number;
  thresholdMode: "rel" | "abs" = "rel";
  /** The best metric so far (±Infinity before the first step). */
  best = Infinity;
  numBadEpochs = 0;
  /** The worst possible value for the mode: +Infinity for `min`, −Infinity for `max`. */
  modeWorse = Infinity;
  eps: number;
  lastEpoch = 0;
  private lastLr: number[] | undefined = undefined;

  /** PyTorch's keys → fields, in PyTorch's order (`mode`, `threshold`, `threshold_mode` are loaded through their check). */
  private static readonly savedFields = {
    factor: "factor",
    min_lrs: "minLrs",
    patience: "patience",
    verbose: "verbose",
    cooldown: "cooldown",
    cooldown_counter: "cooldownCounter",
    mode: "mode",
    threshold: "threshold",
    threshold_mode: "thresholdMode",
    best: "best",
    num_bad_epochs: "numBadEpochs",
    mode_worse: "modeWorse",
    eps: "eps",
    last_epoch: "lastEpoch",
    _last_lr: "lastLr",
  };

  constructor(optimizer: Optimizer, options?: ReduceLROnPlateauOptions) {
    const {
      mode = "min",
      factor = 0.1,
      patience = 10,
      threshold = 1e-4,
      thresholdMode = "rel",
      cooldown = 0,
      minLr = 0,
      eps = 1e-8,
      verbose = false,
    } = checkOptions("ReduceLROnPlateau", options, [
      "mode",
      "factor",
      "patience",
      "threshold",
      "thresholdMode",
      "cooldown",
      "minLr",
      "eps",
      "verbose",
    ]);
    if (factor >= 1) throw new RangeError("Factor should be < 1.0.");
    this.factor = factor;
    checkOptimizer(optimizer);
    this.optimizer = optimizer;
    const count = optimizer.paramGroups.length;
    if (Array.isArray(minLr)) {
      if (minLr.length !== count) throw new RangeError(`expected ${count} min_lrs, got ${minLr.length}`);
      this.minLrs = [...minLr];
    } else {
      this.minLrs = Array.from({ length: count }, () => minLr as number);
    }
    this.patience = patience;
    this.verbose = verbose;
    this.cooldown = cooldown;
    this.threshold = threshold;
    this.eps = eps;
    this.initIsBetter(mode, threshold, thresholdMode);
    this.reset();
  }

  /** Clears the count of bad epochs and the cooldown, and forgets the best value. */
  private reset(): void {
    this.best = this.modeWorse;
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  /** Records one epoch's metric and cuts the rates if it has plateaued. */
  step(metrics: Metric, epoch?: number): void {
    if (typeof metrics !== "number" && typeof (metrics as { item?: unknown } | null)?.item !== "function") {
      throw new TypeError(
        `ReduceLROnPlateau.step(metrics): metrics must be a number or a one-element tensor (the value to monitor, e.g. the validation loss), got ${metrics === undefined ? "nothing" : describeValue(metrics)}`,
      );
    }
    const current = typeof metrics === "number" ? metrics : metrics.item();
    if (epoch === undefined) epoch = this.lastEpoch + 1;
    else warnOnce(EPOCH_DEPRECATION_WARNING);
    this.lastEpoch = epoch;

    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }

    if (this.inCooldown) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during the cooldown do not count
    }

    if (this.numBadEpochs > this.patience) {
      this.reduceLr(epoch);
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = groupsOf(this.optimizer).map((group) => group.lr);
  }

  private reduceLr(epoch: number): void {
    groupsOf(this.optimizer).forEach((group, i) => {
      const oldLr = Number(group.lr);
      const scaled = oldLr * this.factor;
      const newLr = this.minLrs[i] > scaled ? this.minLrs[i] : scaled; // Python's max(scaled, min_lr)
      if (oldLr - newLr > this.eps) {
        group.lr = newLr;
        if (this.verbose)
          console.log(
            `Epoch ${formatEpoch(epoch)}: reducing learning rate of group ${i} to ${formatScientific(newLr)}.`,
          );
      }
    });
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** Whether `a` improves on `best` by more than the threshold, in the scheduler's mode. */
  isBetter(a: number, best: number): boolean {
    if (this.mode === "min" && this.thresholdMode === "rel") return a < best * (1 - this.threshold);
    if (this.mode === "min" && this.thresholdMode === "abs") return a < best - this.threshold;
    if (this.mode === "max" && this.thresholdMode === "rel") return a > best * (this.threshold + 1);
    return a > best + this.threshold;
  }

  private initIsBetter(mode: string, threshold: number, thresholdMode: string): void {
    if (mode !== "min" && mode !== "max") throw new RangeError(`mode ${mode} is unknown!`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs")
      throw new RangeError(`threshold mode ${thresholdMode} is unknown!`);
    this.modeWorse = mode === "min" ? Infinity : -Infinity;
    this.mode = mode;
    this.threshold = threshold;
    this.thresholdMode = thresholdMode;
  }

  /** The groups' rates after the last step (their current rates before the first). */
  getLastLr(): number[] {
    return this.lastLr !== undefined ? [...this.lastLr] : groupsOf(this.optimizer).map((group) => group.lr);
  }

  /** PyTorch's keys: factor, min_lrs, patience, verbose, cooldown, cooldown_counter, mode, threshold, threshold_mode, best, num_bad_epochs, mode_worse, eps, last_epoch (and _last_lr after a step). */
  stateDict(): SchedulerStateDict {
    return saveFields(this, ReduceLROnPlateau.savedFields);
  }

  /**
   * Overwrites the saved fields, then re-checks the mode (which also resets `mode_worse`), as PyTorch
   * does. A value of the wrong kind (null for `best`) is an error that leaves the scheduler untouched.
   */
  loadStateDict(stateDict: SchedulerStateDict): void {
    checkStateDict(stateDict);
    const mode = loaded(stateDict, "mode", this.mode);
    const thresholdMode = loaded(stateDict, "threshold_mode", this.thresholdMode);
    if (mode !== "min" && mode !== "max") throw new RangeError(`mode ${String(mode)} is unknown!`);
    if (thresholdMode !== "rel" && thresholdMode !== "abs")
      throw new RangeError(`threshold mode ${String(thresholdMode)} is unknown!`);
    loadFields(this, ReduceLROnPlateau.savedFields, stateDict);
    this.initIsBetter(this.mode, this.threshold, this.thresholdMode);
  }
}
