/**
 * CosineAnnealingWarmRestarts: cosine annealing that restarts from the initial rate (SGDR,
 * Loshchilov & Hutter, https://arxiv.org/abs/1608.03983):
 *
 *   η_t = η_min + (η_max − η_min) · (1 + cos(π T_cur / T_i)) / 2
 *
 * T_cur counts epochs since the last restart and T_i is the current cycle's length: T_0 first,
 * multiplied by T_mult at each restart. `step()` adds one epoch; `step(epoch)` jumps to an epoch,
 * which may be fractional so the rate can change every batch (`step(epoch + i / itersPerEpoch)`),
 * and the two may be interleaved (`step(26)` then `step()` goes to 27). For a jump past T_0:
 *
 *   T_mult = 1:  T_cur = epoch mod T_0
 *   T_mult > 1:  n = ⌊log_{T_mult}(epoch / T_0 · (T_mult − 1) + 1)⌋,
 *                T_cur = epoch − T_0 (T_mult^n − 1) / (T_mult − 1),   T_i = T_0 · T_mult^n
 *
 * The logarithm is computed as PyTorch computes it (`schedules.restartIndex`, see numerics.ts), so
 * at an exact restart boundary the epoch lands in the same cycle as in PyTorch.
 * Unlike the other schedulers, `step(epoch)` does not warn and `_step_count` stays 0 (as in PyTorch).
 */
import { checkOptions } from "../../options.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, type SchedulerOptions } from "./lr_scheduler.js";
import { pythonStr } from "./numerics.js";
import { cosineAtPosition, restartIndex } from "./schedules.js";

export interface CosineAnnealingWarmRestartsOptions extends SchedulerOptions {
  /** Epochs in the first cycle: a positive integer. */
  T0: number;
  /** The factor by which each cycle is longer than the last: an integer ≥ 1. Default 1. */
  TMult?: number;
  /** The minimum rate. Default 0. */
  etaMin?: number;
}

export class CosineAnnealingWarmRestarts extends LRScheduler {
  T0: number;
  /** The current cycle's length. */
  Ti: number;
  TMult: number;
  etaMin: number;
  /** Epochs since the last restart (fractional after a fractional `step(epoch)`). */
  TCur: number;

  protected override readonly savedFields = { T_0: "T0", T_i: "Ti", T_mult: "TMult", eta_min: "etaMin", T_cur: "TCur" };

  constructor(optimizer: Optimizer, options: CosineAnnealingWarmRestartsOptions) {
    const {
      T0,
      TMult = 1,
      etaMin = 0,
      lastEpoch = -1,
      verbose = false,
    } = checkOptions("CosineAnnealingWarmRestarts", options, ["T0", "TMult", "etaMin", "lastEpoch", "verbose"], ["T0"]);
    if (!(T0 > 0) || !Number.isInteger(T0))
      throw new RangeError(`Expected positive integer T_0, but got ${pythonStr(T0)}`);
    if (!(TMult >= 1) || !Number.isInteger(TMult))
      throw new RangeError(`Expected integer T_mult >= 1, but got ${pythonStr(TMult)}`);
    super(optimizer, lastEpoch, verbose);
    this.T0 = T0;
    this.Ti = T0;
    this.TMult = TMult;
    this.etaMin = etaMin;
    this.TCur = lastEpoch;
    this.initialStep();
  }

  protected override getLr(): number[] {
    return this.baseLrs.map((baseLr) => cosineAtPosition(baseLr, this.etaMin, this.TCur, this.Ti));
  }

  /** One epoch on, or to `epoch` (fractional allowed, not negative). Can be called after every batch. */
  override step(epoch?: number): void {
    if (epoch === undefined && this.lastEpoch < 0) epoch = 0;

    if (epoch === undefined) {
      epoch = this.lastEpoch + 1;
      this.TCur = this.TCur + 1;
      if (this.TCur >= this.Ti) {
        this.TCur = this.TCur - this.Ti;
        this.Ti = this.Ti * this.TMult;
      }
    } else {
      if (epoch < 0) throw new RangeError(`Expected non-negative epoch, but got ${pythonStr(epoch)}`);
      if (epoch >= this.T0) {
        if (this.TMult === 1) {
          this.TCur = epoch % this.T0;
        } else {
          const n = restartIndex(epoch, this.T0, this.TMult);
          this.TCur = epoch - (this.T0 * (this.TMult ** n - 1)) / (this.TMult - 1);
          this.Ti = this.T0 * this.TMult ** n;
        }
      } else {
        this.Ti = this.T0;
        this.TCur = epoch;
      }
    }
    this.lastEpoch = Math.floor(epoch);
    this.writeLrs(this.getLr(), epoch);
  }
}
