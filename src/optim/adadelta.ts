import { zerosLike } from "../creation.js";
import type { Tensor } from "../tensor.js";
import {
  type Closure,
  formatLikePython,
  type ImplementationFlags,
  Optimizer,
  type ParamGroupInput,
  type StateLayout,
  withDefaults,
} from "./optimizer.js";

export interface AdadeltaOptions extends Pick<ImplementationFlags, "foreach"> {
  /** γ, a factor on the update (default 1.0) */
  lr: number;
  /** ρ, the decay rate of both moving averages (default 0.9) */
  rho: number;
  /** ε, added inside both square roots (default 1e-6) */
  eps: number;
  /** λ, an L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** Ascend the objective instead of descending (default false) */
  maximize: boolean;
}

/** What Adadelta remembers per parameter (PyTorch's names; `step` is a plain count, as in PyTorch 1.13). */
export interface AdadeltaState {
  step: number;
  /** v */
  square_avg: Tensor;
  /** u */
  acc_delta: Tensor;
}

const defaults: AdadeltaOptions = {
  lr: 1.0,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
  foreach: null,
};

/**
 * Adadelta (Zeiler, 2012), as `torch.optim.Adadelta`.
 *
 * For each parameter θ with gradient g, on every step (v₀ = u₀ = 0):
 *
 *     g ← −g                                 if maximize
 *     g ← g + λ·θ                            if λ ≠ 0
 *     v ← ρ·v + (1 − ρ)·g²
 *     Δθ ← √(u + ε) / √(v + ε) · g
 *     u ← ρ·u + (1 − ρ)·Δθ²
 *     θ ← θ − γ·Δθ
 *
 * γ = lr, ρ = rho, λ = weightDecay; v and u are the state's `square_avg` and `acc_delta`;
 * `step` counts the updates (a plain number, as PyTorch 1.13 keeps it for Adadelta).
 */
export class Adadelta extends Optimizer<AdadeltaOptions, AdadeltaState> {
  protected override readonly stateLayout = {
    step: "number",
    square_avg: "tensor",
    acc_delta: "tensor",
  } as const satisfies StateLayout<AdadeltaState>;

  constructor(
    params: Iterable<Tensor | ParamGroupInput<AdadeltaOptions>> | Tensor,
    options: Partial<AdadeltaOptions> = {},
  ) {
    super(params, withDefaults("Adadelta", defaults, options));
  }

  protected override validateGroup({ lr, rho, eps, weightDecay }: AdadeltaOptions): void {
    if (!(0 <= lr)) throw new RangeError(`Invalid learning rate: ${formatLikePython(lr)}`);
    if (!(0 <= rho && rho <= 1)) throw new RangeError(`Invalid rho value: ${formatLikePython(rho)}`);
    if (!(0 <= eps)) throw new RangeError(`Invalid epsilon value: ${formatLikePython(eps)}`);
    if (!(0 <= weightDecay)) throw new RangeError(`Invalid weight_decay value: ${formatLikePython(weightDecay)}`);
  }

  step(closure?: Closure): number | undefined {
    const loss = this.evaluate(closure);
    this.update(() => {
      for (const group of this.paramGroups) {
        const { lr, rho, eps, weightDecay, maximize } = group;
        for (const param of group.params) {
          if (param.grad === null) continue;
          const state = this.stateOf(param, () => ({
            step: 0,
            square_avg: zerosLike(param),
            acc_delta: zerosLike(param),
          }));
          state.step += 1;
          const { square_avg: squareAvg, acc_delta: accDelta } = state;

          let grad = maximize ? param.grad.neg() : param.grad;
          if (weightDecay !== 0) grad = grad.add(param, weightDecay);
          squareAvg.mul_(rho).addcmul_(grad, grad, 1 - rho);
          const std = squareAvg.add(eps).sqrt_();
          const delta = accDelta.add(eps).sqrt_().div_(std).mul_(grad);
          accDelta.mul_(rho).addcmul_(delta, delta, 1 - rho);
          param.add_(delta, -lr);
        }
      }
    });
    return loss;
  }
}
