import { tensor, zerosLike } from "../creation.js";
import type { Tensor } from "../tensor.js";
import { type AdamState, adamUpdate_, refuseUncapturable, validateAdamLike } from "./adam.js";
import {
  type Closure,
  type ImplementationFlags,
  Optimizer,
  type ParamGroupInput,
  type StateLayout,
  withDefaults,
} from "./optimizer.js";

export interface AdamWOptions extends Pick<ImplementationFlags, "foreach" | "capturable"> {
  /** γ, the learning rate (default 1e-3) */
  lr: number;
  /** β₁ and β₂, the decay rates of the two moving averages (default [0.9, 0.999]) */
  betas: [number, number];
  /** ε, added to the denominator (default 1e-8) */
  eps: number;
  /** λ, the decoupled weight decay: θ shrinks by γλ each step (default 1e-2) */
  weightDecay: number;
  /** Divide by the largest v̂ so far (AMSGrad, default false) */
  amsgrad: boolean;
  /** Ascend the objective instead of descending (default false) */
  maximize: boolean;
}

/** What AdamW remembers per parameter: the same as Adam. */
export type AdamWState = AdamState;

const defaults: AdamWOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 1e-2,
  amsgrad: false,
  foreach: null,
  maximize: false,
  capturable: false,
};

/**
 * AdamW (Loshchilov & Hutter, 2017), as `torch.optim.AdamW`: Adam whose weight decay shrinks the
 * parameter directly instead of being added to the gradient (so it is not rescaled by 1/√v).
 *
 * For each parameter θ with gradient g, on every step t = 1, 2, … (m₀ = v₀ = v̂₀ᵐᵃˣ = 0):
 *
 *     g ← −g                                 if maximize
 *     θ ← θ·(1 − γλ)
 *     m ← β₁·m + (1 − β₁)·g
 *     v ← β₂·v + (1 − β₂)·g²
 *     vᵐᵃˣ ← max(vᵐᵃˣ, v)                    if amsgrad (then vᵐᵃˣ replaces v below)
 *     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * γ = lr, λ = weightDecay; m, v, vᵐᵃˣ are the state's `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`,
 * and t its `step` (a 0-d float32 tensor).
 *
 * With `capturable: true` the fused kernel reads t from the step tensor and computes the bias
 * corrections itself (`adamUpdate_`): nothing is read into JavaScript, so that `capture()`
 * can replay the step.
 */
export class AdamW extends Optimizer<AdamWOptions, AdamWState> {
  protected override readonly stateLayout = {
    step: "scalar",
    exp_avg: "tensor",
    exp_avg_sq: "tensor",
    max_exp_avg_sq: "tensor",
  } as const satisfies StateLayout<AdamWState>;

  constructor(params: Iterable<Tensor | ParamGroupInput<AdamWOptions>> | Tensor, options: Partial<AdamWOptions> = {}) {
    super(params, withDefaults("AdamW", defaults, options));
  }

  protected override validateGroup(group: AdamWOptions): void {
    validateAdamLike(group);
  }

  step(closure?: Closure): number | undefined {
    refuseUncapturable("AdamW", this.paramGroups);
    const loss = this.evaluate(closure);
    this.update(() => {
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          if (param.grad === null) continue;
          const state = this.stateOf(param, () => ({
            step: tensor(0),
            exp_avg: zerosLike(param),
            exp_avg_sq: zerosLike(param),
          }));
          if (group.amsgrad) state.max_exp_avg_sq ??= zerosLike(param);
          adamUpdate_(param, param.grad, state, group, true);
        }
      }
    });
    return loss;
  }
}
