import { noGrad } from "../autograd.js";
import { tensor, zeros } from "../creation.js";
import { cat } from "../ops/movement.js";
import { Tensor } from "../tensor.js";
import { type Closure, Optimizer, type ParamGroupInput, type ParamState, toTensor, withDefaults } from "./optimizer.js";

export interface LBFGSOptions {
  /** γ, the step length tried first (default 1) */
  lr: number;
  /** The most iterations per `step()` (default 20) */
  maxIter: number;
  /** The most closure evaluations per `step()` (default maxIter·5/4, rounded down) */
  maxEval: number;
  /** Stop when every |gradient element| is at most this (default 1e-7) */
  toleranceGrad: number;
  /** Stop when the loss or the step changes by less than this (default 1e-9) */
  toleranceChange: number;
  /** m, how many (s, y) pairs the inverse-Hessian estimate remembers (default 100) */
  historySize: number;
  /** `"strong_wolfe"` to search along each direction, or null for fixed steps of γ (default null) */
  lineSearchFn: "strong_wolfe" | null;
}

/** L-BFGS's counters, kept on the first parameter under PyTorch's keys. */
interface LBFGSCounters {
  func_evals: number;
  n_iter: number;
}

/**
 * What L-BFGS carries from one iteration (and one `step()`) to the next, under PyTorch's keys. It
 * is complete from the end of the first iteration on; only `al` appears later (with the first
 * two-loop recursion), as in PyTorch.
 */
interface LBFGSHistory {
  /** the search direction (all parameters flattened into one vector) */
  d: Tensor;
  /** the step length along d */
  t: number;
  /** yᵢ = gᵢ₊₁ − gᵢ and sᵢ = θᵢ₊₁ − θᵢ, the newest last */
  old_dirs: Tensor[];
  old_stps: Tensor[];
  /** ρᵢ = 1 / yᵢᵀsᵢ */
  ro: number[];
  /** αᵢ of the last two-loop recursion (null where unused) */
  al?: (number | null)[];
  /** the scale of the initial inverse Hessian, yᵀs / yᵀy */
  H_diag: number;
  prev_flat_grad: Tensor;
  prev_loss: number;
}

type LBFGSState = ParamState & LBFGSCounters & Partial<LBFGSHistory>;

/** Whether the state holds a whole history (after a first iteration, or loaded from a state dict). */
function hasHistory(state: LBFGSState): state is LBFGSState & LBFGSHistory {
  const { d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss } = state;
  return [d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss].every((v) => v !== undefined);
}

/**
 * How PyTorch rounds L-BFGS's scalars: it keeps them as 0-d tensors of the parameters' dtype, so in
 * float32 every one is rounded to float32 (Math.fround), and in float64 none is.
 */
type Round = (x: number) => number;
const roundingOf = (dtype: string): Round => (dtype === "float32" ? Math.fround : (x) => x);

/** xᵀy as a number (of the tensors' precision). */
function dot(x: Tensor, y: Tensor): number {
  return x.mul(y).sum().item();
}

/** max |xᵢ| as a number (of the tensor's precision). */
function maxAbs(x: Tensor): number {
  return x.abs().max().item();
}

/**
 * The minimiser of the cubic through (x₁, f₁) and (x₂, f₂) with slopes g₁ and g₂, limited to
 * `bounds` (by default the interval between x₁ and x₂); their midpoint if the cubic has none.
 */
function cubicInterpolate(
  round: Round,
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  bounds?: [number, number],
): number {
  const [xminBound, xmaxBound] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  // g₁ and g₂ are tensors of the parameters' dtype in PyTorch, so everything they touch is rounded to it
  const d1 = round(round(g1 + g2) - round((3 * (f1 - f2)) / (x1 - x2)));
  const d2Square = round(round(d1 * d1) - round(g1 * g2));
  if (d2Square >= 0) {
    const d2 = round(Math.sqrt(d2Square));
    const minPos =
      x1 <= x2
        ? round(x2 - round((x2 - x1) * round(round(round(g2 + d2) - d1) / round(round(g2 - g1) + round(2 * d2)))))
        : round(x1 - round((x1 - x2) * round(round(round(g1 + d2) - d1) / round(round(g1 - g2) + round(2 * d2)))));
    return Math.min(Math.max(minPos, xminBound), xmaxBound);
  }
  return (xminBound + xmaxBound) / 2;
}

/** `loss(x + t·d)` and its gradient, leaving the parameters at x. */
type DirectionalEvaluate = (x: Tensor[], t: number, d: Tensor) => [number, Tensor];

/**
 * A line search along d for a step t satisfying the strong Wolfe conditions (Nocedal & Wright,
 * algorithms 3.5 and 3.6): sufficient decrease f(t) ≤ f + c₁·t·gᵀd and curvature
 * |g(t)ᵀd| ≤ −c₂·gᵀd. First it brackets an acceptable t, growing it by cubic extrapolation; then it
 * zooms into the bracket by cubic interpolation. Returns [f(t), g(t), t, evaluations].
 */
function strongWolfe(
  evaluate: DirectionalEvaluate,
  x: Tensor[],
  t: number,
  d: Tensor,
  f: number,
  g: Tensor,
  gtd: number,
  round: Round,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): [number, Tensor, number, number] {
  const dNorm = maxAbs(d);
  g = g.clone();
  let [fNew, gNew] = evaluate(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);
  // the sufficient-decrease test, as PyTorch's tensor arithmetic rounds it
  const decreasesEnough = (step: number, value: number) => !(value > round(f + round(round(c1 * step) * gtd)));
  const curvatureHolds = (slope: number) => Math.abs(slope) <= round(round(-c2) * gtd);

  // bracketing phase
  let [tPrev, fPrev, gPrev, gtdPrev] = [0, f, g, gtd];
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Tensor[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (!decreasesEnough(t, fNew) || (lsIter > 1 && fNew >= fPrev)) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew.clone()],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    if (curvatureHolds(gtdNew)) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [
        [tPrev, t],
        [fPrev, fNew],
        [gPrev, gNew.clone()],
        [gtdPrev, gtdNew],
      ];
      break;
    }
    // extrapolate, at least 1% beyond t and at most 10·t
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const previous = t;
    t = cubicInterpolate(round, tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    [tPrev, fPrev, gPrev, gtdPrev] = [previous, fNew, gNew.clone(), gtdNew];
    [fNew, gNew] = evaluate(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
  }
  if (lsIter === maxLs)
    [bracket, bracketF, bracketG] = [
      [0, t],
      [f, fNew],
      [g, gNew],
    ];

  // zoom phase: shrink the bracket until a point satisfies both conditions
  let insufficientProgress = false;
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (round(round(Math.abs(bracket[1] - bracket[0])) * dNorm) < round(toleranceChange)) break;
    t = cubicInterpolate(round, bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
    // keep t at least 10% of the bracket away from its ends, unless the last step made progress
    const [high, low] = [Math.max(...bracket), Math.min(...bracket)];
    const eps = 0.1 * (high - low);
    if (Math.min(high - t, t - low) < eps) {
      if (insufficientProgress || t >= high || t <= low) {
        t = Math.abs(t - high) < Math.abs(t - low) ? high - eps : low + eps;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    [fNew, gNew] = evaluate(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
    if (!decreasesEnough(t, fNew) || fNew >= bracketF[lowPos]) {
      // t becomes the high end
      [bracket[highPos], bracketF[highPos], bracketG[highPos], bracketGtd[highPos]] = [t, fNew, gNew.clone(), gtdNew];
      [lowPos, highPos] = bracketF[0] <= bracketF[1] ? [0, 1] : [1, 0];
    } else {
      if (curvatureHolds(gtdNew)) done = true;
      else if (gtdNew * (bracket[highPos] - bracket[lowPos]) >= 0) {
        // the old low end becomes the high end
        [bracket[highPos], bracketF[highPos], bracketG[highPos], bracketGtd[highPos]] = [
          bracket[lowPos],
          bracketF[lowPos],
          bracketG[lowPos],
          bracketGtd[lowPos],
        ];
      }
      // t becomes the low end
      [bracket[lowPos], bracketF[lowPos], bracketG[lowPos], bracketGtd[lowPos]] = [t, fNew, gNew.clone(), gtdNew];
    }
  }
  return [bracketF[lowPos], bracketG[lowPos], bracket[lowPos], lsFuncEvals];
}

/**
 * L-BFGS (Nocedal, 1980; Liu & Nocedal, 1989), as `torch.optim.LBFGS`: quasi-Newton steps with an
 * inverse Hessian estimated from the last m changes of parameters and gradients. Every parameter
 * is one vector θ here; there are no per-group options. `step(closure)` re-evaluates the loss as
 * often as it needs, so the closure must clear the gradients, compute the loss, call `backward()`
 * and return the loss.
 *
 * On each iteration k (at most maxIter per call to `step`), with g the gradient at θ:
 *
 *     if k = 1:   d ← −g                                  (H ← I)
 *     else:
 *         y ← g − gₚᵣₑᵥ,  s ← t·d
 *         if yᵀs > 1e-10:  remember (y, s), ρ ← 1/(yᵀs);  H ← yᵀs / yᵀy      (keep the last m)
 *         q ← −g
 *         for i from newest to oldest:  αᵢ ← ρᵢ·sᵢᵀq,  q ← q − αᵢ·yᵢ
 *         r ← H·q
 *         for i from oldest to newest:  βᵢ ← ρᵢ·yᵢᵀr,  r ← r + (αᵢ − βᵢ)·sᵢ
 *         d ← r
 *     t ← min(1, 1/Σ|g|)·γ on the very first iteration, γ afterwards
 *     stop if gᵀd > −toleranceChange (d is no descent direction)
 *     with a line search: t ← the strong-Wolfe step along d (starting from t)
 *     θ ← θ + t·d
 *
 * and it stops early when max|g| ≤ toleranceGrad, when max|t·d| ≤ toleranceChange, when the loss
 * changes by less than toleranceChange, or after maxEval evaluations. γ = lr, m = historySize; H
 * is the state's `H_diag`, the pairs are `old_dirs` (y) and `old_stps` (s), ρ is `ro`, α is `al`.
 * The state lives on the first parameter, as in PyTorch; the scalars PyTorch keeps as 0-d tensors
 * (`t`, `H_diag`, `ro`, `al`) are numbers here (their float32 values), which a JSON dump writes
 * the same way.
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  constructor(params: Iterable<Tensor | ParamGroupInput<LBFGSOptions>> | Tensor, options: Partial<LBFGSOptions> = {}) {
    const maxIter = options?.maxIter ?? 20;
    super(
      params,
      withDefaults(
        "LBFGS",
        {
          lr: 1,
          maxIter,
          maxEval: Math.floor((maxIter * 5) / 4),
          toleranceGrad: 1e-7,
          toleranceChange: 1e-9,
          historySize: 100,
          lineSearchFn: null,
        },
        options,
      ),
    );
  }

  /** L-BFGS treats all parameters as one vector, so it has exactly one group. */
  override addParamGroup(group: ParamGroupInput<LBFGSOptions>): void {
    if (this.paramGroups.length > 0)
      throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(group);
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  /** Every parameter's gradient (zeros where it has none), flattened into one vector. */
  private gatherFlatGrad(): Tensor {
    return cat(
      this.params.map((p) => (p.grad === null ? zeros([p.numel()], { dtype: p.dtype }) : p.grad.reshape([-1]))),
      0,
    );
  }

  /** θ ← θ + stepSize·update, for the flat `update` cut back into the parameters' shapes. */
  private addGrad(stepSize: number, update: Tensor): void {
    let offset = 0;
    for (const p of this.params) {
      p.add_(update.narrow(0, offset, p.numel()).reshape([...p.shape]), stepSize);
      offset += p.numel();
    }
  }

  private directionalEvaluate(closure: Closure, x: Tensor[], t: number, d: Tensor): [number, Tensor] {
    this.addGrad(t, d);
    const loss = this.lossOf(closure);
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => p.copy_(x[i]));
    return [loss, flatGrad];
  }

  /** The closure's loss (`step` has checked that there is a closure). */
  private lossOf(closure: Closure): number {
    return this.evaluate(closure) as number;
  }

  /** Runs up to maxIter iterations; returns the loss the closure gave before the first. */
  step(closure: Closure): number {
    if (typeof closure !== "function")
      throw new TypeError("LBFGS.step() needs a closure that re-evaluates the model and returns the loss");
    if (this.paramGroups.length !== 1)
      throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    return noGrad(() => this.iterate(closure));
  }

  private iterate(closure: Closure): number {
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn } = this.paramGroups[0];
    if (lineSearchFn !== null && lineSearchFn !== "strong_wolfe")
      throw new RangeError("only 'strong_wolfe' is supported");
    const state = this.stateOf(this.params[0]) as LBFGSState;
    state.func_evals ??= 0;
    state.n_iter ??= 0;
    const round = roundingOf(this.params[0].dtype);

    const origLoss = this.lossOf(closure);
    let loss = origLoss;
    let currentEvals = 1;
    state.func_evals += 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = maxAbs(flatGrad) <= round(toleranceGrad);
    if (optCond) return origLoss; // already at a minimum

    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.n_iter += 1;

      // the direction d
      let h: LBFGSHistory;
      if (state.n_iter === 1 || !hasHistory(state)) {
        // H = I; t and the previous gradient and loss are set below, before anything reads them
        h = Object.assign(state, {
          d: flatGrad.neg(),
          t: lr,
          old_dirs: [],
          old_stps: [],
          ro: [],
          H_diag: 1,
          prev_flat_grad: flatGrad.clone(),
          prev_loss: loss,
        });
      } else {
        h = state;
        this.remember(h, flatGrad.sub(h.prev_flat_grad), h.d.mul(h.t), round);
        h.d = this.twoLoopRecursion(h, flatGrad, round);
        h.prev_flat_grad.copy_(flatGrad);
      }
      h.prev_loss = loss;
      const d = h.d;

      // the step length t
      let t = lr;
      if (state.n_iter === 1) {
        const inverseL1 = round(1 / flatGrad.abs().sum().item());
        if (inverseL1 < 1) t = round(inverseL1 * lr);
      }
      h.t = t;
      const gtd = dot(flatGrad, d);
      if (gtd > round(-toleranceChange)) break; // d is no descent direction

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this.params.map((p) => p.clone());
        const evaluate: DirectionalEvaluate = (x, step, direction) =>
          this.directionalEvaluate(closure, x, step, direction);
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(evaluate, xInit, t, d, loss, flatGrad, gtd, round);
        h.t = t;
        this.addGrad(t, d);
        optCond = maxAbs(flatGrad) <= round(toleranceGrad);
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          // re-evaluate for the next iteration (the last one's gradient would go unused)
          loss = this.lossOf(closure);
          flatGrad = this.gatherFlatGrad();
          optCond = maxAbs(flatGrad) <= round(toleranceGrad);
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.func_evals += lsFuncEvals;

      // stopping conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (maxAbs(d.mul(t)) <= round(toleranceChange)) break;
      if (Math.abs(loss - h.prev_loss) < toleranceChange) break;
    }
    return origLoss;
  }

  /**
   * Adds the pair (y, s) to the history if yᵀs > 1e-10 (the curvature condition; a pair without it
   * would make the estimate indefinite), forgetting the oldest beyond historySize, and rescales H.
   */
  private remember(h: LBFGSHistory, y: Tensor, s: Tensor, round: Round): void {
    const ys = dot(y, s);
    if (!(ys > round(1e-10))) return;
    if (h.old_dirs.length === this.paramGroups[0].historySize) {
      h.old_dirs.shift();
      h.old_stps.shift();
      h.ro.shift();
    }
    h.old_dirs.push(y);
    h.old_stps.push(s);
    h.ro.push(round(1 / ys));
    h.H_diag = round(ys / dot(y, y));
  }

  /** The two-loop recursion: −H·g with H the L-BFGS inverse-Hessian estimate of the history. */
  private twoLoopRecursion(h: LBFGSHistory, flatGrad: Tensor, round: Round): Tensor {
    const al = (h.al ??= new Array<number | null>(this.paramGroups[0].historySize).fill(null));
    const alpha: number[] = [];
    const q = flatGrad.neg();
    for (let i = h.old_dirs.length - 1; i >= 0; i--) {
      alpha[i] = round(dot(h.old_stps[i], q) * h.ro[i]);
      al[i] = alpha[i];
      q.add_(h.old_dirs[i], -alpha[i]);
    }
    const r = q.mul(h.H_diag);
    for (let i = 0; i < h.old_dirs.length; i++) {
      const beI = round(dot(h.old_dirs[i], r) * h.ro[i]);
      r.add_(h.old_stps[i], round(alpha[i] - beI));
    }
    return r;
  }

  /** Loads L-BFGS's state: flat vectors of all the parameters' elements, lists of them, and numbers. */
  protected override stateValueFor(_p: Tensor, name: string, value: unknown): unknown {
    const numel = this.params.reduce((n, p) => n + p.numel(), 0);
    const dtype = this.params[0].dtype;
    const vector = (v: unknown, what: string): Tensor => {
      // numbers from JSON are read in the parameters' dtype (a float32 detour would round float64 values)
      const t = Array.isArray(v) ? tensor(v as number[], { dtype }) : toTensor(v, what);
      if (t.shape.length !== 1 || t.shape[0] !== numel) {
        throw new RangeError(
          `${what} has shape [${t.shape.join(", ")}] but the parameters have ${numel} elements in all`,
        );
      }
      return noGrad(() => t.to(dtype).clone());
    };
    const number = (v: unknown, what: string): number => {
      if (v instanceof Tensor && v.numel() === 1) return v.item();
      if (typeof v !== "number") throw new TypeError(`${what} should be a number`);
      return v;
    };
    const what = `loaded state '${name}'`;
    switch (name) {
      case "d":
      case "prev_flat_grad":
        return vector(value, what);
      case "old_dirs":
      case "old_stps":
        if (!Array.isArray(value)) throw new TypeError(`${what} should be a list of vectors`);
        return value.map((v, i) => vector(v, `${what}[${i}]`));
      case "ro":
      case "al":
        if (!Array.isArray(value)) throw new TypeError(`${what} should be a list of numbers`);
        return value.map((v, i) => (v === null && name === "al" ? null : number(v, `${what}[${i}]`)));
      case "func_evals":
      case "n_iter":
      case "t":
      case "H_diag":
      case "prev_loss":
        return number(value, what);
      default:
        return value;
    }
  }
}
