/**
 * PolynomialLR: decay each group's rate polynomially to zero over `totalIters` epochs.
 *
 *   closed form: lr_e = initial_lr · (1 − min(T, e) / T)^power                   (`polynomialDecay`)
 *   chainable:   for 0 < e ≤ T: lr_e = lr_{e−1} · ((1 − e/T) / (1 − (e − 1)/T))^power;
 *                otherwise unchanged
 *
 * With T = 4 and power 1 from 0.001: 0.001, 0.00075, 0.0005, 0.00025, 0, 0, ...
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions } from "./lr_scheduler.js";
import { ZeroDivisionError } from "./numerics.js";
import { polynomialDecay } from "./schedules.js";

export interface PolynomialLROptions extends SchedulerOptions {
  /** Epochs until the rate reaches 0. Default 5. */
  totalIters?: number;
  /** The power of the polynomial. Default 1. */
  power?: number;
}

export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  protected override readonly savedFields = { total_iters: "totalIters", power: "power" };

  constructor(optimizer: Optimizer, options?: PolynomialLROptions) {
    const {
      totalIters = 5,
      power = 1,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions("PolynomialLR", options, ["totalIters", "power", "lastEpoch", "verbose"]);
    super(optimizer, lastEpoch, verbose);
    this.totalIters = totalIters;
    this.power = power;
    this.initialStep();
  }

  protected override getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return this.currentLrs();
    const decayFactor =
      ((1 - this.lastEpoch / this.totalIters) / (1 - (this.lastEpoch - 1) / this.totalIters)) ** this.power;
    return this.groups.map((group) => group.lr * decayFactor);
  }

  protected override closedFormLr(): number[] {
    if (this.totalIters === 0) {
      // min(T, e) / T: Python's message tells int / int from float division
      throw new ZeroDivisionError(Number.isInteger(this.lastEpoch) ? "division by zero" : "float division by zero");
    }
    const factor = polynomialDecay({ totalIters: this.totalIters, power: this.power });
    return this.baseLrs.map((baseLr) => baseLr * factor(this.lastEpoch));
  }
}
