import { fullLike, zerosLike } from "../creation.js";
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

export interface RpropOptions extends Pick<ImplementationFlags, "foreach"> {
  /** The initial step size of every element (default 1e-2) */
  lr: number;
  /** η₋ and η₊: how the step size shrinks and grows, 0 < η₋ < 1 < η₊ (default [0.5, 1.2]) */
  etas: [number, number];
  /** Γmin and Γmax, the smallest and largest step sizes (default [1e-6, 50]) */
  stepSizes: [number, number];
  /** Ascend the objective instead of descending (default false) */
  maximize: boolean;
}

/** What Rprop remembers per parameter (PyTorch's names; `step` is a plain count, as in PyTorch 1.13). */
export interface RpropState {
  step: number;
  /** gₚᵣₑᵥ, the previous gradient (zeroed where its sign flipped) */
  prev: Tensor;
  /** Γ, each element's own step size */
  step_size: Tensor;
}

const defaults: RpropOptions = {
  lr: 1e-2,
  etas: [0.5, 1.2],
  stepSizes: [1e-6, 50],
  foreach: null,
  maximize: false,
};

/**
 * Resilient backpropagation (Riedmiller & Braun, 1993), as `torch.optim.Rprop`: each element
 * moves by its own step size, in the direction of the gradient's sign only.
 *
 * For each parameter θ with gradient g, on every step (g₀ = 0, Γ = γ everywhere at first), for
 * every element:
 *
 *     g ← −g                                if maximize
 *     if g·gₚᵣₑᵥ > 0:  Γ ← min(Γ·η₊, Γmax)
 *     if g·gₚᵣₑᵥ < 0:  Γ ← max(Γ·η₋, Γmin),  g ← 0
 *     if g·gₚᵣₑᵥ = 0:  Γ ← min(max(Γ, Γmin), Γmax)
 *     θ ← θ − Γ·sign(g)
 *     gₚᵣₑᵥ ← g
 *
 * γ = lr, (η₋, η₊) = etas, (Γmin, Γmax) = stepSizes; gₚᵣₑᵥ and Γ are the state's `prev` and
 * `step_size`; `step` counts the updates (a plain number, as PyTorch 1.13 keeps it for Rprop).
 * Zeroing g after a sign change means the next step neither grows nor shrinks that element's Γ.
 */
export class Rprop extends Optimizer<RpropOptions, RpropState> {
  protected override readonly stateLayout = {
    step: "number",
    prev: "tensor",
    step_size: "tensor",
  } as const satisfies StateLayout<RpropState>;

  constructor(params: Iterable<Tensor | ParamGroupInput<RpropOptions>> | Tensor, options: Partial<RpropOptions> = {}) {
    super(params, withDefaults("Rprop", defaults, options));
  }

  protected override validateGroup({ lr, etas: [etaMinus, etaPlus] }: RpropOptions): void {
    if (!(0 <= lr)) throw new RangeError(`Invalid learning rate: ${formatLikePython(lr)}`);
    if (!(0 < etaMinus && etaMinus < 1 && 1 < etaPlus)) {
      throw new RangeError(`Invalid eta values: ${formatLikePython(etaMinus)}, ${formatLikePython(etaPlus)}`);
    }
  }

  step(closure?: Closure): number | undefined {
    const loss = this.evaluate(closure);
    this.update(() => {
      for (const group of this.paramGroups) {
        const {
          lr,
          etas: [etaMinus, etaPlus],
          stepSizes: [stepSizeMin, stepSizeMax],
          maximize,
        } = group;
        for (const param of group.params) {
          if (param.grad === null) continue;
          const firstGrad = param.grad;
          const state = this.stateOf(param, () => ({
            step: 0,
            prev: zerosLike(param),
            step_size: fullLike(firstGrad, lr),
          }));
          state.step += 1;
          const { prev, step_size: stepSize } = state;

          let grad = maximize ? param.grad.neg() : param.grad;
          // the factor for each element's step size: η₊, η₋ or 1 by the sign of g·gₚᵣₑᵥ
          const sign = grad.mul(prev).sign();
          sign.maskedFill_(sign.gt(0), etaPlus);
          sign.maskedFill_(sign.lt(0), etaMinus);
          sign.maskedFill_(sign.eq(0), 1);
          stepSize.mul_(sign).clamp_(stepSizeMin, stepSizeMax);
          // where the sign flipped, forget the gradient: no move now, and no adaptation next step
          grad = grad.clone().maskedFill_(sign.eq(etaMinus), 0);
          param.addcmul_(grad.sign(), stepSize, -1);
          prev.copy_(grad);
        }
      }
    });
    return loss;
  }
}
