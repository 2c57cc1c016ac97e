import { zerosLike } from "../creation.js";
import { rmspropStep_ } from "../ops/fused.js";
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

export interface RMSpropOptions extends Pick<ImplementationFlags, "foreach" | "differentiable"> {
  /** γ, the learning rate (default 1e-2) */
  lr: number;
  /** μ, momentum of the update (default 0) */
  momentum: number;
  /** α, the decay rate of the moving average of squared gradients (default 0.99) */
  alpha: number;
  /** ε, added to the denominator (default 1e-8) */
  eps: number;
  /** Divide by an estimate of the gradient's variance instead of its second moment (default false) */
  centered: boolean;
  /** λ, an L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** Ascend the objective instead of descending (default false) */
  maximize: boolean;
}

/** What RMSprop remembers per parameter (PyTorch's names; `step` is a plain count, as in PyTorch 1.13). */
export interface RMSpropState {
  step: number;
  /** v */
  square_avg: Tensor;
  /** b, made on the first step with momentum > 0 */
  momentum_buffer?: Tensor;
  /** g̅, made on the first step when centered */
  grad_avg?: Tensor;
}

const defaults: RMSpropOptions = {
  lr: 1e-2,
  momentum: 0,
  alpha: 0.99,
  eps: 1e-8,
  centered: false,
  weightDecay: 0,
  foreach: null,
  maximize: false,
  differentiable: false,
};

/**
 * RMSprop (Hinton's lecture 6e), as `torch.optim.RMSprop`.
 *
 * For each parameter θ with gradient g, on every step (v₀ = g̅₀ = b₀ = 0):
 *
 *     g ← −g                          if maximize
 *     g ← g + λ·θ                     if λ ≠ 0
 *     v ← α·v + (1 − α)·g²
 *     if centered:
 *         g̅ ← α·g̅ + (1 − α)·g
 *         ṽ ← √(v − g̅²) + ε
 *     else:
 *         ṽ ← √v + ε
 *     if μ > 0:
 *         b ← μ·b + g/ṽ
 *         θ ← θ − γ·b
 *     else:
 *         θ ← θ − γ·g/ṽ
 *
 * γ = lr, λ = weightDecay, α = alpha, μ = momentum; v, g̅, b are the state's `square_avg`,
 * `grad_avg` (only if centered) and `momentum_buffer` (only if μ > 0). `step` counts the updates
 * (a plain number, as PyTorch 1.13 keeps it for RMSprop).
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  protected override readonly stateLayout = {
    step: "number",
    square_avg: "tensor",
    momentum_buffer: "tensor",
    grad_avg: "tensor",
  } as const satisfies StateLayout<RMSpropState>;

  constructor(
    params: Iterable<Tensor | ParamGroupInput<RMSpropOptions>> | Tensor,
    options: Partial<RMSpropOptions> = {},
  ) {
    super(params, withDefaults("RMSprop", defaults, options));
  }

  protected override validateGroup({ lr, eps, momentum, weightDecay, alpha }: RMSpropOptions): void {
    if (!(0 <= lr)) throw new RangeError(`Invalid learning rate: ${formatLikePython(lr)}`);
    if (!(0 <= eps)) throw new RangeError(`Invalid epsilon value: ${formatLikePython(eps)}`);
    if (!(0 <= momentum)) throw new RangeError(`Invalid momentum value: ${formatLikePython(momentum)}`);
    if (!(0 <= weightDecay)) throw new RangeError(`Invalid weight_decay value: ${formatLikePython(weightDecay)}`);
    if (!(0 <= alpha)) throw new RangeError(`Invalid alpha value: ${formatLikePython(alpha)}`);
  }

  step(closure?: Closure): number | undefined {
    const loss = this.evaluate(closure);
    this.update(() => {
      for (const group of this.paramGroups) {
        const { lr, momentum, alpha, eps, centered, weightDecay, maximize } = group;
        for (const param of group.params) {
          if (param.grad === null) continue;
          const state = this.stateOf(param, () => ({ step: 0, square_avg: zerosLike(param) }));
          if (momentum > 0) state.momentum_buffer ??= zerosLike(param);
          if (centered) state.grad_avg ??= zerosLike(param);
          state.step += 1;
          const squareAvg = state.square_avg;
          const gradAvg = centered ? state.grad_avg! : null;
          const buffer = momentum > 0 ? state.momentum_buffer! : null;

          // g = −g; g += λθ; v = αv + (1 − α)g²; g̅ = αg̅ + (1 − α)g; d = √(v − g̅²) + ε (or √v + ε);
          // b = μb + g/d, θ += −γb (or θ += −γ·g/d), in one pass with the in-place ops' roundings
          rmspropStep_(param, param.grad, squareAvg, gradAvg, buffer, {
            lr,
            alpha,
            eps,
            weightDecay,
            momentum,
            maximize,
          });
        }
      }
    });
    return loss;
  }
}
