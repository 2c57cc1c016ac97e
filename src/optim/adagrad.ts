import { fullLike, tensor } from "../creation.js";
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

export interface AdagradOptions extends Pick<ImplementationFlags, "foreach"> {
  /** γ, the learning rate (default 1e-2) */
  lr: number;
  /** η, the learning-rate decay: step t uses γ/(1 + (t − 1)·η) (default 0) */
  lrDecay: number;
  /** λ, an L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** τ, the starting value of the sum of squared gradients (default 0) */
  initialAccumulatorValue: number;
  /** ε, added to the denominator (default 1e-10) */
  eps: number;
  /** Ascend the objective instead of descending (default false) */
  maximize: boolean;
}

/** What Adagrad remembers per parameter (PyTorch's names). */
export interface AdagradState {
  /** t, a 0-d float32 tensor */
  step: Tensor;
  /** s, the sum of squared gradients */
  sum: Tensor;
}

const defaults: AdagradOptions = {
  lr: 1e-2,
  lrDecay: 0,
  eps: 1e-10,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  foreach: null,
  maximize: false,
};

/**
 * Adagrad (Duchi et al., 2011), as `torch.optim.Adagrad`.
 *
 * For each parameter θ with gradient g, on every step t = 1, 2, … (s₀ = τ):
 *
 *     g ← −g                          if maximize
 *     g ← g + λ·θ                     if λ ≠ 0
 *     γ̃ ← γ / (1 + (t − 1)·η)
 *     s ← s + g²
 *     θ ← θ − γ̃ · g / (√s + ε)
 *
 * γ = lr, η = lrDecay, λ = weightDecay, τ = initialAccumulatorValue; s is the state's `sum` and
 * t its `step` (a 0-d float32 tensor). As in PyTorch, the state of every parameter is created when
 * its group is added (not on its first step), so a state dict lists parameters never updated, and
 * τ is the constructor's value for every group (PyTorch ignores a group's own τ).
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  protected override readonly stateLayout = {
    step: "scalar",
    sum: "tensor",
  } as const satisfies StateLayout<AdagradState>;

  constructor(
    params: Iterable<Tensor | ParamGroupInput<AdagradOptions>> | Tensor,
    options: Partial<AdagradOptions> = {},
  ) {
    super(params, withDefaults("Adagrad", defaults, options));
  }

  protected override validateGroup({ lr, lrDecay, weightDecay, initialAccumulatorValue, eps }: AdagradOptions): void {
    if (!(0 <= lr)) throw new RangeError(`Invalid learning rate: ${formatLikePython(lr)}`);
    if (!(0 <= lrDecay)) throw new RangeError(`Invalid lr_decay value: ${formatLikePython(lrDecay)}`);
    if (!(0 <= weightDecay)) throw new RangeError(`Invalid weight_decay value: ${formatLikePython(weightDecay)}`);
    if (!(0 <= initialAccumulatorValue))
      throw new RangeError(`Invalid initial_accumulator_value value: ${formatLikePython(initialAccumulatorValue)}`);
    if (!(0 <= eps)) throw new RangeError(`Invalid epsilon value: ${formatLikePython(eps)}`);
  }

  /**
   * Adds the group and creates its parameters' state at once (PyTorch does this in the
   * constructor). Like PyTorch, the sums start at the constructor's `initialAccumulatorValue`,
   * whatever the group says.
   */
  override addParamGroup(group: ParamGroupInput<AdagradOptions>): void {
    super.addParamGroup(group);
    for (const param of this.paramGroups[this.paramGroups.length - 1].params) {
      this.state.set(param, { step: tensor(0), sum: fullLike(param, this.defaults.initialAccumulatorValue) });
    }
  }

  step(closure?: Closure): number | undefined {
    const loss = this.evaluate(closure);
    this.update(() => {
      for (const group of this.paramGroups) {
        const { lr, lrDecay, weightDecay, eps, maximize } = group;
        for (const param of group.params) {
          if (param.grad === null) continue;
          const state = this.stateOf(param, () => ({
            step: tensor(0),
            sum: fullLike(param, this.defaults.initialAccumulatorValue),
          }));
          const sum = state.sum;
          const t = state.step.add_(1).item();

          let grad = maximize ? param.grad.neg() : param.grad;
          if (weightDecay !== 0) grad = grad.add(param, weightDecay);
          const clr = lr / (1 + (t - 1) * lrDecay);
          sum.addcmul_(grad, grad, 1);
          const std = sum.sqrt().add_(eps);
          param.addcdiv_(grad, std, -clr);
        }
      }
    });
    return loss;
  }
}
