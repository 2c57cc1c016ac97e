import { isCapturing } from "../capture.js";
import { tensor, zerosLike } from "../creation.js";
import { adamStep_ } from "../ops/fused.js";
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

export interface AdamOptions extends ImplementationFlags {
  /** γ, the learning rate (default 1e-3) */
  lr: number;
  /** β₁ and β₂, the decay rates of the two moving averages (default [0.9, 0.999]) */
  betas: [number, number];
  /** ε, added to the denominator (default 1e-8) */
  eps: number;
  /** λ, an L2 penalty added to the gradient (default 0; see AdamW for decoupled decay) */
  weightDecay: number;
  /** Divide by the largest v̂ so far (AMSGrad, default false) */
  amsgrad: boolean;
  /** Ascend the objective instead of descending (default false) */
  maximize: boolean;
}

/** What Adam remembers per parameter (PyTorch's names). */
export interface AdamState {
  /** t, a 0-d float32 tensor */
  step: Tensor;
  /** m */
  exp_avg: Tensor;
  /** v */
  exp_avg_sq: Tensor;
  /** vᵐᵃˣ, made on the first step with amsgrad */
  max_exp_avg_sq?: Tensor;
}

const defaults: AdamOptions = {
  lr: 1e-3,
  betas: [0.9, 0.999],
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
  foreach: null,
  capturable: false,
  differentiable: false,
  fused: false,
};

/** PyTorch's checks for Adam-like options, shared by Adam, AdamW, Adamax, NAdam and RAdam. */
export function validateAdamLike({
  lr,
  eps,
  betas,
  weightDecay,
}: {
  lr: number;
  eps: number;
  betas: [number, number];
  weightDecay: number;
}): void {
  if (!(0 <= lr)) throw new RangeError(`Invalid learning rate: ${formatLikePython(lr)}`);
  if (!(0 <= eps)) throw new RangeError(`Invalid epsilon value: ${formatLikePython(eps)}`);
  if (!(0 <= betas[0] && betas[0] < 1))
    throw new RangeError(`Invalid beta parameter at index 0: ${formatLikePython(betas[0])}`);
  if (!(0 <= betas[1] && betas[1] < 1))
    throw new RangeError(`Invalid beta parameter at index 1: ${formatLikePython(betas[1])}`);
  if (!(0 <= weightDecay)) throw new RangeError(`Invalid weight_decay value: ${formatLikePython(weightDecay)}`);
}

/**
 * Adam (Kingma & Ba, 2014), as `torch.optim.Adam`.
 *
 * For each parameter θ with gradient g, on every step t = 1, 2, … (m₀ = v₀ = v̂₀ᵐᵃˣ = 0):
 *
 *     g ← −g                                 if maximize
 *     g ← g + λ·θ                            if λ ≠ 0
 *     m ← β₁·m + (1 − β₁)·g                  (an EWMA of gradients, period 19 for β₁ = 0.9)
 *     v ← β₂·v + (1 − β₂)·g²                 (an EWMA of squared gradients, period 1999 for β₂ = 0.999)
 *     vᵐᵃˣ ← max(vᵐᵃˣ, v)                    if amsgrad (then vᵐᵃˣ replaces v below)
 *     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * γ = lr, λ = weightDecay; m, v, vᵐᵃˣ are the state's `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`,
 * and t its `step` (a 0-d float32 tensor, as PyTorch 1.13 keeps it). The two divisions by
 * 1 − βᵗ are the EWMAs' bias corrections (see `ewma.calcCorrectedEwma`).
 *
 * With `capturable: true` the fused kernel reads t from the step tensor and computes the bias
 * corrections itself (`adamUpdate_`): nothing is read into JavaScript, so that `capture()` can
 * replay the step.
 */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  protected override readonly stateLayout = {
    step: "scalar",
    exp_avg: "tensor",
    exp_avg_sq: "tensor",
    max_exp_avg_sq: "tensor",
  } as const satisfies StateLayout<AdamState>;

  constructor(params: Iterable<Tensor | ParamGroupInput<AdamOptions>> | Tensor, options: Partial<AdamOptions> = {}) {
    super(params, withDefaults("Adam", defaults, options));
  }

  protected override validateGroup(group: AdamOptions): void {
    validateAdamLike(group);
  }

  step(closure?: Closure): number | undefined {
    refuseUncapturable("Adam", this.paramGroups);
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
          adamUpdate_(param, param.grad, state, group, false);
        }
      }
    });
    return loss;
  }
}

/** Adam's and AdamW's options that `adamUpdate_` uses. */
interface AdamLikeOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  capturable: boolean;
}

/**
 * One Adam (or, with `decoupledWeightDecay`, AdamW) update of `param`, in one pass of the fused
 * kernel (`adamStep_`) with the in-place ops' roundings:
 *
 *     t ← t + 1;  g ← −g if maximize;  θ ← θ·(1 − γλ) if decoupled, else g ← g + λθ
 *     m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  vᵐᵃˣ ← max(vᵐᵃˣ, v) if amsgrad
 *     θ ← θ − γ/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * The bias corrections come from t read into JavaScript (float64), or, with `capturable`, as in
 * PyTorch 1.13's `capturable=True`, from the 0-d step tensor, which the kernel reads when it runs
 * and turns into the corrections in float32 as tensor ops would. Then nothing is read into
 * JavaScript, and a replay of a captured step uses that replay's t. (PyTorch's capturable branch
 * folds the corrections into the denominator instead, d ← √v / (√(1 − β₂ᵗ)·s) + ε/s, θ ← θ + m/d
 * with s = −γ/(1 − β₁ᵗ); the two agree within float32 rounding, test/golden/optim/capturable.json.)
 */
export function adamUpdate_(
  param: Tensor,
  grad: Tensor,
  state: AdamState,
  group: AdamLikeOptions,
  decoupledWeightDecay: boolean,
): void {
  const {
    lr,
    betas: [beta1, beta2],
    eps,
    weightDecay,
    amsgrad,
    maximize,
    capturable,
  } = group;
  const { step, exp_avg: expAvg, exp_avg_sq: expAvgSq } = state;
  const maxExpAvgSq = amsgrad ? (state.max_exp_avg_sq as Tensor) : null;
  const scalars = { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize };
  if (capturable) {
    if (step.dtype !== "float32" || step.numel() !== 1)
      throw new TypeError(
        `capturable Adam: the state's step must be a one-element float32 tensor (as PyTorch keeps it), got ${step.dtype} of shape [${step.shape.join(", ")}]`,
      );
    step.add_(1);
    // (the kernel computes stepSize and biasCorrection2Sqrt from `step`)
    adamStep_(param, grad, expAvg, expAvgSq, maxExpAvgSq, {
      ...scalars,
      stepSize: NaN,
      biasCorrection2Sqrt: NaN,
      step: step.storage,
    });
    return;
  }
  const t = step.add_(1).item();
  adamStep_(param, grad, expAvg, expAvgSq, maxExpAvgSq, {
    ...scalars,
    stepSize: lr / (1 - beta1 ** t),
    biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** t),
  });
}

/**
 * Inside `capture()`, the eager step's bias corrections would be computed once, in JavaScript, from
 * the step count, and replayed unchanged: refuse with the fix rather than train wrongly.
 */
export function refuseUncapturable(name: string, groups: readonly { capturable: boolean }[]): void {
  if (!isCapturing() || groups.every((group) => group.capturable)) return;
  throw new Error(
    `capture(fn): ${name} computes its bias corrections in JavaScript from the step count, which a replay ` +
      `cannot update; create it with { capturable: true } (the step count then stays in a tensor, as PyTorch's capturable=True)`,
  );
}
