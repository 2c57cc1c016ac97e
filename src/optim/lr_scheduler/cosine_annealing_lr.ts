/**
 * CosineAnnealingLR: anneal each group's rate along a cosine from its initial rate (η_max) to
 * `etaMin` over `TMax` epochs (Loshchilov & Hutter, "SGDR", https://arxiv.org/abs/1608.03983,
 * without the restarts):
 *
 *   closed form: η_e = η_min + (η_max − η_min) · (1 + cos(π e / T_max)) / 2      (`cosineAnnealing`)
 *
 * `step()` uses PyTorch's recursive form, which follows the same curve when nothing else changes
 * the rate but continues from the current rate when something does:
 *
 *   η_e = η_min + (η_{e−1} − η_min) · (1 + cos(π e / T_max)) / (1 + cos(π (e − 1) / T_max))
 *   η_e = η_{e−1} + (η_max − η_min) · (1 − cos(π / T_max)) / 2     when (e − 1 − T_max) mod 2T_max = 0
 *
 * (the second line steps off the minimum, where the ratio above would be 0/0). Past T_max the rate
 * climbs back along the cosine; the period is 2·T_max. A first step that resumes at e > 0 uses the
 * closed form. `TMax = 0` fails at the first step with Python's ZeroDivisionError, as in PyTorch.
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions } from "./lr_scheduler.js";
import { ZeroDivisionError, pythonDivide, pythonModulo } from "./numerics.js";
import { cosineAnnealing } from "./schedules.js";

export interface CosineAnnealingLROptions extends SchedulerOptions {
  /** Epochs from the initial rate down to `etaMin` (half the period). */
  TMax: number;
  /** The minimum rate. Default 0. */
  etaMin?: number;
}

export class CosineAnnealingLR extends LRScheduler {
  TMax: number;
  etaMin: number;

  protected override readonly savedFields = { T_max: "TMax", eta_min: "etaMin" };

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    const {
      TMax,
      etaMin = 0,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions("CosineAnnealingLR", options, ["TMax", "etaMin", "lastEpoch", "verbose"], ["TMax"]);
    super(optimizer, lastEpoch, verbose);
    this.TMax = TMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected override getLr(): number[] {
    const { lastEpoch: epoch, TMax, etaMin } = this;
    if (epoch === 0) return this.currentLrs();
    if (this.stepCount === 1 && epoch > 0) {
      return this.baseLrs.map(
        (baseLr) => etaMin + ((baseLr - etaMin) * (1 + Math.cos(pythonDivide(epoch * Math.PI, TMax)))) / 2,
      );
    }
    if (pythonModulo(epoch - 1 - TMax, 2 * TMax) === 0) {
      return this.groups.map(
        (group, i) => group.lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / TMax))) / 2,
      );
    }
    return this.groups.map(
      (group) =>
        ((1 + Math.cos((Math.PI * epoch) / TMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / TMax))) *
          (group.lr - etaMin) +
        etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    if (this.TMax === 0) throw new ZeroDivisionError("float division by zero");
    return this.baseLrs.map((baseLr) =>
      cosineAnnealing({ baseLr, TMax: this.TMax, etaMin: this.etaMin })(this.lastEpoch),
    );
  }
}
