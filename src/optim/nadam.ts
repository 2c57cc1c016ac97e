import { tensor, zerosLike } from "../creation.js";
import type { Tensor } from "../tensor.js";
import { validateAdamLike } from "./adam.js";
import {
  type Closure,
  formatLikePython,
  type ImplementationFlags,
  Optimizer,
  type ParamGroupInput,
  type StateLayout,
  withDefaults,
} from "./optimizer.js";

export interface NAdamOptions extends Pick<ImplementationFlags, "foreach"> {
  /** γ, the learning rate (default 2e-3) */
  lr: number;
  /** β₁ and β₂, the decay rates of the two moving averages (default [0.9, 0.999]) */
  betas: [number, number];
  /** ε, added to the denominator (default 1e-8) */
  eps: number;
  /** λ, an L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** ψ, how fast the momentum schedule μₜ warms up (default 4e-3) */
  momentumDecay: number;
}

/** What NAdam remembers per parameter (PyTorch's names). */
export interface NAdamState {
  /** t, a 0-d float32 tensor */
  step: Tensor;
  /** Π, the product of the momentum coefficients so far (0-d) */
  mu_product: Tensor;
  /** m */
  exp_avg: Tensor;
  /** v */
  exp_avg_sq: Tensor;
}

const defaults: NAdamOptions = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 4e-3,
  foreach: null,
};

/**
 * NAdam (Dozat, 2016): Adam with Nesterov momentum, as `torch.optim.NAdam`.
 *
 * For each parameter θ with gradient g, on every step t = 1, 2, … (m₀ = v₀ = 0, Π₀ = 1):
 *
 *     g ← g + λ·θ                              if λ ≠ 0
 *     μₜ ← β₁·(1 − ½·0.96^(t·ψ))
 *     μₜ₊₁ ← β₁·(1 − ½·0.96^((t + 1)·ψ))
 *     Πₜ ← Πₜ₋₁·μₜ
 *     m ← β₁·m + (1 − β₁)·g
 *     v ← β₂·v + (1 − β₂)·g²
 *     ṽ ← √(v / (1 − β₂ᵗ)) + ε
 *     θ ← θ − γ·(1 − μₜ)/(1 − Πₜ) · g/ṽ − γ·μₜ₊₁/(1 − Πₜ·μₜ·μₜ₊₁) · m/ṽ
 *
 * γ = lr, λ = weightDecay, ψ = momentumDecay; m, v, Π are the state's `exp_avg`, `exp_avg_sq` and
 * `mu_product` (a 0-d float32 tensor, as is t, the `step`). The paper's last denominator is
 * 1 − Πₜ·μₜ₊₁; PyTorch 1.13 multiplies μₜ in once more, and gradstep follows PyTorch.
 */
export class NAdam extends Optimizer<NAdamOptions, NAdamState> {
  protected override readonly stateLayout = {
    step: "scalar",
    mu_product: "scalar",
    exp_avg: "tensor",
    exp_avg_sq: "tensor",
  } as const satisfies StateLayout<NAdamState>;

  constructor(params: Iterable<Tensor | ParamGroupInput<NAdamOptions>> | Tensor, options: Partial<NAdamOptions> = {}) {
    super(params, withDefaults("NAdam", defaults, options));
  }

  protected override validateGroup(group: NAdamOptions): void {
    validateAdamLike(group);
    if (!(0 <= group.momentumDecay))
      throw new RangeError(`Invalid momentum_decay value: ${formatLikePython(group.momentumDecay)}`);
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
          momentumDecay,
        } = group;
        for (const param of group.params) {
          if (param.grad === null) continue;
          const state = this.stateOf(param, () => ({
            step: tensor(0),
            mu_product: tensor(1),
            exp_avg: zerosLike(param),
            exp_avg_sq: zerosLike(param),
          }));
          const { mu_product: muProduct, exp_avg: expAvg, exp_avg_sq: expAvgSq } = state;

          let grad = param.grad;
          const t = state.step.add_(1).item();
          const biasCorrection2 = 1 - beta2 ** t;
          if (weightDecay !== 0) grad = grad.add(param, weightDecay);
          const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay));
          const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
          muProduct.mul_(mu);
          const muProductNext = muProduct.mul(mu).mul(muNext).item();
          expAvg.mul_(beta1).add_(grad, 1 - beta1);
          expAvgSq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
          const denom = expAvgSq.div(biasCorrection2).sqrt_().add_(eps);
          param.addcdiv_(grad, denom, (-lr * (1 - mu)) / (1 - muProduct.item()));
          param.addcdiv_(expAvg, denom, (-lr * muNext) / (1 - muProductNext));
        }
      }
    });
    return loss;
  }
}
