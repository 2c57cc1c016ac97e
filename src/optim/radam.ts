import { fullLike, tensor, zerosLike } from "../creation.js";
import type { Tensor } from "../tensor.js";
import { validateAdamLike } from "./adam.js";
import {
  type Closure,
  type ImplementationFlags,
  Optimizer,
  type ParamGroupInput,
  type StateLayout,
  withDefaults,
} from "./optimizer.js";

export interface RAdamOptions extends Pick<ImplementationFlags, "foreach"> {
  /** γ, the learning rate (default 1e-3) */
  lr: number;
  /** β₁ and β₂, the decay rates of the two moving averages (default [0.9, 0.999]) */
  betas: [number, number];
  /** ε, added to the denominator (default 1e-8) */
  eps: number;
  /** λ, an L2 penalty added to the gradient (default 0) */
  weightDecay: number;
}

/** What RAdam remembers per parameter (PyTorch's names). */
export interface RAdamState {
  /** t, a 0-d float32 tensor */
  step: Tensor;
  /** m */
  exp_avg: Tensor;
  /** v */
  exp_avg_sq: Tensor;
}

const defaults: RAdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  foreach: null,
};

/**
 * RAdam (Liu et al., 2019): Adam whose adaptive step is switched on only once the variance of
 * the second-moment estimate is tractable, and then rectified; as `torch.optim.RAdam`.
 *
 * For each parameter θ with gradient g, on every step t = 1, 2, … (m₀ = v₀ = 0):
 *
 *     g ← g + λ·θ                                  if λ ≠ 0
 *     m ← β₁·m + (1 − β₁)·g
 *     v ← β₂·v + (1 − β₂)·g²
 *     m̂ ← m / (1 − β₁ᵗ)
 *     ρ∞ ← 2/(1 − β₂) − 1
 *     ρₜ ← ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
 *     if ρₜ > 5:
 *         r ← √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ))
 *         l ← √(1 − β₂ᵗ) / (√v + ε)
 *         θ ← θ − γ·m̂·l·r
 *     else:
 *         θ ← θ − γ·m̂
 *
 * γ = lr, λ = weightDecay; m and v are the state's `exp_avg` and `exp_avg_sq`, t its `step` (a 0-d
 * float32 tensor).
 */
export class RAdam extends Optimizer<RAdamOptions, RAdamState> {
  protected override readonly stateLayout = {
    step: "scalar",
    exp_avg: "tensor",
    exp_avg_sq: "tensor",
  } as const satisfies StateLayout<RAdamState>;

  constructor(params: Iterable<Tensor | ParamGroupInput<RAdamOptions>> | Tensor, options: Partial<RAdamOptions> = {}) {
    super(params, withDefaults("RAdam", defaults, options));
  }

  protected override validateGroup(group: RAdamOptions): void {
    validateAdamLike(group);
  }

  step(closure?: Closure): number | undefined {
    const loss = this.evaluate(closure);
    this.update(() => {
      for (const group of this.paramGroups) {
        const {
          lr,
          betas: [beta1, beta2],
          eps,
          weightDecay,
        } = group;
        for (const param of group.params) {
          if (param.grad === null) continue;
          const state = this.stateOf(param, () => ({
            step: tensor(0),
            exp_avg: zerosLike(param),
            exp_avg_sq: zerosLike(param),
          }));
          const { exp_avg: expAvg, exp_avg_sq: expAvgSq } = state;

          let grad = param.grad;
          const t = state.step.add_(1).item();
          const biasCorrection1 = 1 - beta1 ** t;
          const biasCorrection2 = 1 - beta2 ** t;
          if (weightDecay !== 0) grad = grad.add(param, weightDecay);
          expAvg.mul_(beta1).add_(grad, 1 - beta1);
          expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
          const biasCorrectedExpAvg = expAvg.div(biasCorrection1);

          const rhoInf = 2 / (1 - beta2) - 1;
          const rhoT = rhoInf - (2 * t * beta2 ** t) / biasCorrection2;
          if (rhoT > 5) {
            const rect = Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
            const adaptiveLr = fullLike(expAvgSq, Math.sqrt(biasCorrection2)).div_(expAvgSq.sqrt().add_(eps));
            param.add_(biasCorrectedExpAvg.mul_(lr).mul_(adaptiveLr).mul_(rect), -1);
          } else {
            param.add_(biasCorrectedExpAvg.mul_(lr), -1);
          }
        }
      }
    });
    return loss;
  }
}
