import { noGrad } from "../autograd.js";
import { zeros } from "../creation.js";
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

/** What L-BFGS remembers between calls to `step()`: PyTorch's keys, kept on the first parameter. */
interface LBFGSState {
  func_evals: number;
  n_iter: number;
  /** the search direction (all parameters flattened into one vector) */
  d?: Tensor;
  /** the step length along d */
  t?: number;
  /** yᵢ = gᵢ₊₁ − gᵢ and sᵢ = θᵢ₊₁ − θᵢ, the newest last */
  old_dirs?: Tensor[];
  old_stps?: Tensor[];
  /** ρᵢ = 1 / yᵢᵀsᵢ */
  ro?: number[];
  /** αᵢ of the last two-loop recursion (null where unused) */
  al?: (number | null)[];
  /** the scale of the initial inverse Hessian, yᵀs / yᵀy */
  H_diag?: number;
  prev_flat_grad?: Tensor;
  prev_loss?: number;
}

/** PyTorch computes these scalars as 0-d float32 tensors; rounding here keeps its arithmetic. */
const f32 = Math.fround;

/** xᵀy as a float32 number. */
function dot(x: Tensor, y: Tensor): number {
  return x.mul(y).sum().item();
}

/** max |xᵢ| as a float32 number. */
function maxAbs(x: Tensor): number {
  return x.abs().max().item();
}

/**
 * The minimiser of the cubic through (x₁, f₁) and (x₂, f₂) with slopes g₁ and g₂, limited to
 * `bounds` (by default the interval between x₁ and x₂); their midpoint if the cubic has none.
 */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [xminBound, xmaxBound] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  // g₁ and g₂ are float32 tensors in PyTorch, so everything they touch is float32
  const d1 = f32(f32(g1 + g2) - f32((3 * (f1 - f2)) / (x1 - x2)));
  const d2Square = f32(f32(d1 * d1) - f32(g1 * g2));
  if (d2Square >= 0) {
    const d2 = f32(Math.sqrt(d2Square));
    const minPos = x1 <= x2
      ? f32(x2 - f32((x2 - x1) * f32(f32(f32(g2 + d2) - d1) / f32(f32(g2 - g1) + f32(2 * d2)))))
      : f32(x1 - f32((x1 - x2) * f32(f32(f32(g1 + d2) - d1) / f32(f32(g1 - g2) + f32(2 * d2)))));
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
  evaluate: DirectionalEvaluate, x: Tensor[], t: number, d: Tensor, f: number, g: Tensor, gtd: number,
  c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25,
): [number, Tensor, number, number] {
  const dNorm = maxAbs(d);
  g = g.clone();
  let [fNew, gNew] = evaluate(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);
  // the sufficient-decrease test, as PyTorch's float32 arithmetic evaluates it
  const decreasesEnough = (step: number, value: number) => !(value > f32(f + f32(f32(c1 * step) * gtd)));
  const curvatureHolds = (slope: number) => Math.abs(slope) <= f32(f32(-c2) * gtd);

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
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew.clone()], [gtdPrev, gtdNew]];
      break;
    }
    if (curvatureHolds(gtdNew)) {
      [bracket, bracketF, bracketG] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bracketF, bracketG, bracketGtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew.clone()], [gtdPrev, gtdNew]];
      break;
    }
    // extrapolate, at least 1% beyond t and at most 10·t
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const previous = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    [tPrev, fPrev, gPrev, gtdPrev] = [previous, fNew, gNew.clone(), gtdNew];
    [fNew, gNew] = evaluate(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
  }
  if (lsIter === maxLs) [bracket, bracketF, bracketG] = [[0, t], [f, fNew], [g, gNew]];

  // zoom phase: shrink the bracket until a point satisfies both conditions
  let insufficientProgress = false;
  let [lowPos, highPos] = bracketF[0] <= bracketF[bracketF.length - 1] ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (f32(f32(Math.abs(bracket[1] - bracket[0])) * dNorm) < f32(toleranceChange)) break;
    t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1]);
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
        [bracket[highPos], bracketF[highPos], bracketG[highPos], bracketGtd[highPos]] = [bracket[lowPos], bracketF[lowPos], bracketG[lowPos], bracketGtd[lowPos]];
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
    super(params, withDefaults("LBFGS", {
      lr: 1,
      maxIter,
      maxEval: Math.floor((maxIter * 5) / 4),
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
    }, options));
  }

  /** L-BFGS treats all parameters as one vector, so it has exactly one group. */
  override addParamGroup(group: ParamGroupInput<LBFGSOptions>): void {
    if (this.paramGroups.length > 0) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    super.addParamGroup(group);
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  /** Every parameter's gradient (zeros where it has none), flattened into one vector. */
  private gatherFlatGrad(): Tensor {
    return cat(this.params.map((p) => (p.grad === null ? zeros([p.numel()], { dtype: p.dtype }) : p.grad.reshape([-1]))), 0);
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
    const loss = this.evaluate(closure)!;
    const flatGrad = this.gatherFlatGrad();
    this.params.forEach((p, i) => p.copy_(x[i]));
    return [loss, flatGrad];
  }

  /** Runs up to maxIter iterations; returns the loss the closure gave before the first. */
  step(closure: Closure): number {
    if (typeof closure !== "function") throw new TypeError("LBFGS.step() needs a closure that re-evaluates the model and returns the loss");
    if (this.paramGroups.length !== 1) throw new RangeError("LBFGS doesn't support per-parameter options (parameter groups)");
    return noGrad(() => this.iterate(closure));
  }

  private iterate(closure: Closure): number {
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn } = this.paramGroups[0];
    if (lineSearchFn !== null && lineSearchFn !== "strong_wolfe") throw new RangeError("only 'strong_wolfe' is supported");
    const state = this.stateOf(this.params[0]) as ParamState & LBFGSState;
    state.func_evals ??= 0;
    state.n_iter ??= 0;

    const origLoss = this.evaluate(closure)!;
    let loss = origLoss;
    let currentEvals = 1;
    state.func_evals += 1;
    let flatGrad = this.gatherFlatGrad();
    let optCond = maxAbs(flatGrad) <= f32(toleranceGrad);
    if (optCond) return origLoss; // already at a minimum

    let { d, t, old_dirs: oldDirs, old_stps: oldStps, ro, H_diag: hDiag, prev_flat_grad: prevFlatGrad, prev_loss: prevLoss } = state;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.n_iter += 1;

      // the direction d
      if (state.n_iter === 1) {
        d = flatGrad.neg();
        [oldDirs, oldStps, ro, hDiag] = [[], [], [], 1];
      } else {
        const y = flatGrad.sub(prevFlatGrad!);
        const s = d!.mul(t!);
        const ys = dot(y, s);
        if (ys > f32(1e-10)) {
          if (oldDirs!.length === historySize) {
            oldDirs!.shift();
            oldStps!.shift();
            ro!.shift();
          }
          oldDirs!.push(y);
          oldStps!.push(s);
          ro!.push(f32(1 / ys));
          hDiag = f32(ys / dot(y, y));
        }
        // the two-loop recursion: r = H·g with H the L-BFGS inverse-Hessian estimate
        state.al ??= new Array<number | null>(historySize).fill(null);
        const al = state.al;
        const q = flatGrad.neg();
        for (let i = oldDirs!.length - 1; i >= 0; i--) {
          al[i] = f32(dot(oldStps![i], q) * ro![i]);
          q.add_(oldDirs![i], -al[i]!);
        }
        const r = q.mul(hDiag!);
        for (let i = 0; i < oldDirs!.length; i++) {
          const beI = f32(dot(oldDirs![i], r) * ro![i]);
          r.add_(oldStps![i], f32(al[i]! - beI));
        }
        d = r;
      }
      if (prevFlatGrad === undefined) prevFlatGrad = flatGrad.clone();
      else prevFlatGrad.copy_(flatGrad);
      prevLoss = loss;

      // the step length t
      if (state.n_iter === 1) {
        const inverseL1 = f32(1 / flatGrad.abs().sum().item());
        t = inverseL1 < 1 ? f32(inverseL1 * lr) : lr;
      } else {
        t = lr;
      }
      const gtd = dot(flatGrad, d);
      if (gtd > f32(-toleranceChange)) break; // d is no descent direction

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this.params.map((p) => p.clone());
        const evaluate: DirectionalEvaluate = (x, step, direction) => this.directionalEvaluate(closure, x, step, direction);
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(evaluate, xInit, t, d, loss, flatGrad, gtd);
        this.addGrad(t, d);
        optCond = maxAbs(flatGrad) <= f32(toleranceGrad);
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          // re-evaluate for the next iteration (the last one's gradient would go unused)
          loss = this.evaluate(closure)!;
          flatGrad = this.gatherFlatGrad();
          optCond = maxAbs(flatGrad) <= f32(toleranceGrad);
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.func_evals += lsFuncEvals;

      // stopping conditions
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (maxAbs(d.mul(t)) <= f32(toleranceChange)) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    Object.assign(state, { d, t, old_dirs: oldDirs, old_stps: oldStps, ro, H_diag: hDiag, prev_flat_grad: prevFlatGrad, prev_loss: prevLoss });
    return origLoss;
  }

  /** Loads L-BFGS's state: flat vectors of all the parameters' elements, lists of them, and numbers. */
  protected override stateValueFor(_p: Tensor, name: string, value: unknown): unknown {
    const numel = this.params.reduce((n, p) => n + p.numel(), 0);
    const dtype = this.params[0].dtype;
    const vector = (v: unknown, what: string): Tensor => {
      const t = toTensor(v, what);
      if (t.shape.length !== 1 || t.shape[0] !== numel) {
        throw new RangeError(`${what} has shape [${t.shape.join(", ")}] but the parameters have ${numel} elements in all`);
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
