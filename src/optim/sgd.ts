import { zerosLike } from "../creation.js";
import { sgdStep_ } from "../ops/fused.js";
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

export interface SGDOptions extends Pick<ImplementationFlags, "foreach" | "differentiable"> {
  /** γ, the learning rate (required) */
  lr: number;
  /** μ (default 0: plain gradient descent) */
  momentum: number;
  /** τ, how much of the new gradient the momentum buffer does not take (default 0) */
  dampening: number;
  /** λ, an L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** Nesterov's look-ahead momentum (default false; needs μ > 0 and τ = 0) */
  nesterov: boolean;
  /** Ascend the objective instead of descending (default false) */
  maximize: boolean;
}

/** What SGD remembers per parameter: b, or null while μ = 0 (PyTorch stores None). */
export interface SGDState {
  momentum_buffer: Tensor | null;
}

const defaults: Omit<SGDOptions, "lr"> = {
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
  foreach: null,
  differentiable: false,
};

/**
 * Stochastic gradient descent, optionally with momentum, as `torch.optim.SGD`.
 *
 * For each parameter θ with gradient g, on every step t = 1, 2, …:
 *
 *     g ← −g                         if maximize
 *     g ← g + λ·θ                    if λ ≠ 0
 *     if μ ≠ 0:
 *         b ← g                      if t = 1
 *         b ← μ·b + (1 − τ)·g        otherwise
 *         g ← g + μ·b                if nesterov
 *         g ← b                      otherwise
 *     θ ← θ − γ·g
 *
 * γ = lr, λ = weightDecay, μ = momentum, τ = dampening; b is the state's `momentum_buffer`
 * (null while μ = 0, as PyTorch stores None). Unlike Sutskever et al., the learning rate scales
 * the whole update, not what enters the buffer, so changing γ does not change b.
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  protected override readonly stateLayout = { momentum_buffer: "tensor" } as const satisfies StateLayout<SGDState>;

  constructor(params: Iterable<Tensor | ParamGroupInput<SGDOptions>> | Tensor, options: Partial<SGDOptions> = {}) {
    // lr has no default: every group must give one (undefined marks it required)
    super(
      params,
      withDefaults("SGD", { lr: undefined as unknown as number, ...defaults }, options, { lr: 0, ...defaults }),
    );
  }

  protected override validateGroup({ lr, momentum, dampening, weightDecay, nesterov }: SGDOptions): void {
    if (lr !== undefined && lr < 0) throw new RangeError(`Invalid learning rate: ${formatLikePython(lr)}`);
    if (momentum < 0) throw new RangeError(`Invalid momentum value: ${formatLikePython(momentum)}`);
    if (weightDecay < 0) throw new RangeError(`Invalid weight_decay value: ${formatLikePython(weightDecay)}`);
    if (nesterov && (momentum <= 0 || dampening !== 0))
      throw new RangeError("Nesterov momentum requires a momentum and zero dampening");
  }

  step(closure?: Closure): number | undefined {
    const loss = this.evaluate(closure);
    this.update(() => {
      for (const group of this.paramGroups) {
        const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
        for (const param of group.params) {
          if (param.grad === null) continue;
          const state = this.stateOf(param, () => ({ momentum_buffer: null }));
          let buffer = state.momentum_buffer;
          const firstStep = momentum !== 0 && buffer === null;
          if (firstStep) buffer = zerosLike(param);
          // the whole update of the doc comment in one pass, as the in-place sequence
          // g = −g; g += λθ; b = μb + (1 − τ)g (b = g at t = 1); g = g + μb or b; θ += −γg
          sgdStep_(param, param.grad, buffer, { lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep });
          state.momentum_buffer = buffer;
        }
      }
    });
    return loss;
  }
}
