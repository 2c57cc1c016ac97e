import { tensor, zerosLike } from "../creation.js";
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

export interface ASGDOptions extends Pick<ImplementationFlags, "foreach"> {
  /** γ, the learning rate (default 1e-2) */
  lr: number;
  /** λ, the decay term (default 1e-4) */
  lambd: number;
  /** α, the power of the learning-rate decay (default 0.75) */
  alpha: number;
  /** t₀, the step at which averaging starts (default 1e6) */
  t0: number;
  /** w, an L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** Ascend the objective instead of descending (default false) */
  maximize: boolean;
}

/** What ASGD remembers per parameter (PyTorch's names; all but `ax` are 0-d tensors). */
export interface ASGDState {
  /** t */
  step: Tensor;
  /** η, the current step size */
  eta: Tensor;
  /** μ, the averaging coefficient */
  mu: Tensor;
  /** the running average of the parameter */
  ax: Tensor;
}

const defaults: ASGDOptions = {
  lr: 1e-2,
  lambd: 1e-4,
  alpha: 0.75,
  t0: 1e6,
  weightDecay: 0,
  foreach: null,
  maximize: false,
};

/**
 * Averaged stochastic gradient descent (Polyak & Juditsky, 1992), as `torch.optim.ASGD`.
 *
 * For each parameter θ with gradient g, on every step t = 1, 2, … (η₀ = γ, μ₀ = 1, ax₀ = 0):
 *
 *     g ← −g                               if maximize
 *     g ← g + w·θ                          if w ≠ 0
 *     θ ← θ·(1 − λ·η)
 *     θ ← θ − η·g
 *     ax ← ax + μ·(θ − ax)                 if μ ≠ 1
 *     ax ← θ                               otherwise
 *     η ← γ / (1 + λ·γ·t)^α
 *     μ ← 1 / max(1, t − t₀)
 *
 * γ = lr, λ = lambd, α = alpha, t₀ = t0, w = weightDecay. The state keeps `eta` (η), `mu` (μ),
 * `ax` (the running average of θ, the estimate ASGD returns) and `step` (t); η, μ and t are 0-d
 * float32 tensors.
 */
export class ASGD extends Optimizer<ASGDOptions, ASGDState> {
  protected override readonly stateLayout = {
    step: "scalar",
    eta: "scalar",
    mu: "scalar",
    ax: "tensor",
  } as const satisfies StateLayout<ASGDState>;

  constructor(params: Iterable<Tensor | ParamGroupInput<ASGDOptions>> | Tensor, options: Partial<ASGDOptions> = {}) {
    super(params, withDefaults("ASGD", defaults, options));
  }

  protected override validateGroup({ lr, weightDecay }: ASGDOptions): void {
    if (!(0 <= lr)) throw new RangeError(`Invalid learning rate: ${formatLikePython(lr)}`);
    if (!(0 <= weightDecay)) throw new RangeError(`Invalid weight_decay value: ${formatLikePython(weightDecay)}`);
  }

  step(closure?: Closure): number | undefined {
    const loss = this.evaluate(closure);
    this.update(() => {
      for (const group of this.paramGroups) {
        const { lr, lambd, alpha, t0, weightDecay, maximize } = group;
        for (const param of group.params) {
          if (param.grad === null) continue;
          const state = this.stateOf(param, () => ({
            step: tensor(0),
            eta: tensor(lr),
            mu: tensor(1),
            ax: zerosLike(param),
          }));
          const { eta, mu, ax } = state;

          let grad = maximize ? param.grad.neg() : param.grad;
          const t = state.step.add_(1).item();
          if (weightDecay !== 0) grad = grad.add(param, weightDecay);
          param.mul_(1 - lambd * eta.item());
          param.add_(grad, -eta.item());
          if (mu.item() !== 1) ax.add_(param.sub(ax).mul(mu));
          else ax.copy_(param);
          eta.fill_(lr / Math.pow(1 + lambd * lr * t, alpha));
          mu.fill_(1 / Math.max(1, t - t0));
        }
      }
    });
    return loss;
  }
}
