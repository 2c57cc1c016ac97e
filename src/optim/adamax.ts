import { tensor, zerosLike } from "../creation.js";
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

export interface AdamaxOptions extends Pick<ImplementationFlags, "foreach"> {
  /** γ, the learning rate (default 2e-3) */
  lr: number;
  /** β₁ and β₂: the decay rates of the moving average and of the running maximum (default [0.9, 0.999]) */
  betas: [number, number];
  /** ε, added to |g| before the maximum (default 1e-8) */
  eps: number;
  /** λ, an L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** Ascend the objective instead of descending (default false) */
  maximize: boolean;
}

/** What Adamax remembers per parameter (PyTorch's names). */
export interface AdamaxState {
  /** t, a 0-d float32 tensor */
  step: Tensor;
  /** m */
  exp_avg: Tensor;
  /** u, the infinity norm */
  exp_inf: Tensor;
}

const defaults: AdamaxOptions = {
  lr: 2e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  foreach: null,
  maximize: false,
};

/**
 * Adamax (Kingma & Ba, 2014, section 7), as `torch.optim.Adamax`: Adam with the infinity norm in
 * place of the second moment.
 *
 * For each parameter θ with gradient g, on every step t = 1, 2, … (m₀ = u₀ = 0):
 *
 *     g ← −g                          if maximize
 *     g ← g + λ·θ                     if λ ≠ 0
 *     m ← β₁·m + (1 − β₁)·g
 *     u ← max(β₂·u, |g| + ε)
 *     θ ← θ − γ/(1 − β₁ᵗ) · m/u
 *
 * γ = lr, λ = weightDecay; m and u are the state's `exp_avg` and `exp_inf`, t its `step` (a 0-d
 * float32 tensor).
 */
export class Adamax extends Optimizer<AdamaxOptions, AdamaxState> {
  protected override readonly stateLayout = {
    step: "scalar",
    exp_avg: "tensor",
    exp_inf: "tensor",
  } as const satisfies StateLayout<AdamaxState>;

  constructor(
    params: Iterable<Tensor | ParamGroupInput<AdamaxOptions>> | Tensor,
    options: Partial<AdamaxOptions> = {},
  ) {
    super(params, withDefaults("Adamax", defaults, options));
  }

  protected override validateGroup(group: AdamaxOptions): void {
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
          maximize,
        } = group;
        for (const param of group.params) {
          if (param.grad === null) continue;
          const state = this.stateOf(param, () => ({
            step: tensor(0),
            exp_avg: zerosLike(param),
            exp_inf: zerosLike(param),
          }));
          const { exp_avg: expAvg, exp_inf: expInf } = state;

          let grad = maximize ? param.grad.neg() : param.grad;
          const t = state.step.add_(1).item();
          if (weightDecay !== 0) grad = grad.add(param, weightDecay);
          expAvg.mul_(beta1).add_(grad, 1 - beta1);
          // PyTorch takes the amax over [β₂·u, |g| + ε] stacked: the same as an element-wise maximum
          expInf.mul_(beta2).maximum_(grad.abs().add_(eps));
          const clr = lr / (1 - beta1 ** t);
          param.addcdiv_(expAvg, expInf, -clr);
        }
      }
    });
    return loss;
  }
}
