/**
 * Fused optimizer steps: SGD, Adam/AdamW and RMSprop as one pass over a parameter and its state,
 * instead of the eight or so in-place kernels (`mul_`, `add_`, `addcmul_`, `sqrt`, `addcdiv_`, ...)
 * the optimizers are written in. Each reads and writes every array once, so a step costs the
 * memory traffic it needs and no more.
 *
 * Bit-identical to the unfused sequence: every operation is the unfused one, in its order, each
 * rounded to T (v128 float lanes round like scalar float ops; no fused multiply-add), and every
 * scalar arrives already rounded to T as the unfused op rounds it (the backend forms 1 − β in
 * float64 first). `flags` are the step's booleans, read once per lane group (they are loop
 * invariant, so the branches cost next to nothing next to the memory traffic).
 */
import { at, powJS } from "./lanes";

// sgd flags
const SGD_MAXIMIZE = 1;
const SGD_WEIGHT_DECAY = 2;
const SGD_MOMENTUM = 4;
const SGD_FIRST_STEP = 8;
const SGD_NESTEROV = 16;

// adam flags
const ADAM_MAXIMIZE = 1;
const ADAM_L2 = 2;
const ADAM_DECOUPLED = 4;
const ADAM_AMSGRAD = 8;

// rmsprop flags
const RMS_MAXIMIZE = 1;
const RMS_WEIGHT_DECAY = 2;
const RMS_CENTERED = 4;
const RMS_MOMENTUM = 8;

/** max(a, b) as the reference's `maximum`: NaN if either is NaN, ties keep a (see binary.ts). */
// @ts-ignore: decorator
@inline function maxLanes<T>(a: v128, b: v128): v128 {
  return v128.bitselect(b, v128.pmax<T>(a, b), v128.ne<T>(b, b));
}

// @ts-ignore: decorator
@inline function maxScalar<T>(a: T, b: T): T {
  if (a != a || b != b) return a != a ? a : b;
  return a < b ? b : a;
}

// @ts-ignore: decorator
@inline function sgd<T>(param: usize, grad: usize, buf: usize, n: i32, flags: i32, wd: T, mu: T, keep: T, negLr: T): void {
  const N = 16 / sizeof<T>();
  const vwd = v128.splat<T>(wd);
  const vmu = v128.splat<T>(mu);
  const vkeep = v128.splat<T>(keep);
  const vlr = v128.splat<T>(negLr);
  let i = 0;
  for (; i + N <= n; i += N) {
    const p = v128.load(at<T>(param, i));
    let g = v128.load(at<T>(grad, i));
    if (flags & SGD_MAXIMIZE) g = v128.neg<T>(g);
    if (flags & SGD_WEIGHT_DECAY) g = v128.add<T>(g, v128.mul<T>(p, vwd));
    if (flags & SGD_MOMENTUM) {
      let b = g;
      if (!(flags & SGD_FIRST_STEP)) b = v128.add<T>(v128.mul<T>(v128.load(at<T>(buf, i)), vmu), v128.mul<T>(vkeep, g));
      v128.store(at<T>(buf, i), b);
      g = flags & SGD_NESTEROV ? v128.add<T>(g, v128.mul<T>(b, vmu)) : b;
    }
    v128.store(at<T>(param, i), v128.add<T>(p, v128.mul<T>(vlr, g)));
  }
  for (; i < n; i++) {
    const p = load<T>(at<T>(param, i));
    let g = load<T>(at<T>(grad, i));
    if (flags & SGD_MAXIMIZE) g = -g;
    if (flags & SGD_WEIGHT_DECAY) g = g + p * wd;
    if (flags & SGD_MOMENTUM) {
      let b = g;
      if (!(flags & SGD_FIRST_STEP)) b = load<T>(at<T>(buf, i)) * mu + keep * g;
      store<T>(at<T>(buf, i), b);
      g = flags & SGD_NESTEROV ? g + b * mu : b;
    }
    store<T>(at<T>(param, i), p + negLr * g);
  }
}

// @ts-ignore: decorator
@inline function adam<T>(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32, flags: i32,
  b1: T, keep1: T, b2: T, keep2: T, wd: T, decay: T, bc2: T, eps: T, negStep: T, step: usize, lr: f64,
): void {
  const N = 16 / sizeof<T>();
  if (step != 0) {
    // capturable: the bias corrections from t's current value, in float32 as the tensor ops round
    // them (pow as the float32 pow kernel computes it)
    const t = <f64>load<f32>(step);
    const biasCorrection1 = <f32>1 - <f32>powJS(<f64><f32>b1, t);
    const biasCorrection2 = <f32>1 - <f32>powJS(<f64><f32>b2, t);
    bc2 = <T>Mathf.sqrt(biasCorrection2);
    negStep = <T>-(<f32>lr / biasCorrection1);
  }
  const vb1 = v128.splat<T>(b1);
  const vkeep1 = v128.splat<T>(keep1);
  const vb2 = v128.splat<T>(b2);
  const vkeep2 = v128.splat<T>(keep2);
  const vwd = v128.splat<T>(wd);
  const vdecay = v128.splat<T>(decay);
  const vbc2 = v128.splat<T>(bc2);
  const veps = v128.splat<T>(eps);
  const vstep = v128.splat<T>(negStep);
  let i = 0;
  for (; i + N <= n; i += N) {
    let p = v128.load(at<T>(param, i));
    let g = v128.load(at<T>(grad, i));
    if (flags & ADAM_MAXIMIZE) g = v128.neg<T>(g);
    if (flags & ADAM_DECOUPLED) p = v128.mul<T>(p, vdecay);
    else if (flags & ADAM_L2) g = v128.add<T>(g, v128.mul<T>(p, vwd));
    const mi = v128.add<T>(v128.mul<T>(v128.load(at<T>(m, i)), vb1), v128.mul<T>(vkeep1, g));
    const vi = v128.add<T>(v128.mul<T>(v128.load(at<T>(v, i)), vb2), v128.mul<T>(vkeep2, v128.mul<T>(g, g)));
    v128.store(at<T>(m, i), mi);
    v128.store(at<T>(v, i), vi);
    let second = vi;
    if (flags & ADAM_AMSGRAD) {
      second = maxLanes<T>(v128.load(at<T>(vmax, i)), vi);
      v128.store(at<T>(vmax, i), second);
    }
    const denom = v128.add<T>(v128.div<T>(v128.sqrt<T>(second), vbc2), veps);
    v128.store(at<T>(param, i), v128.add<T>(p, v128.mul<T>(vstep, v128.div<T>(mi, denom))));
  }
  for (; i < n; i++) {
    let p = load<T>(at<T>(param, i));
    let g = load<T>(at<T>(grad, i));
    if (flags & ADAM_MAXIMIZE) g = -g;
    if (flags & ADAM_DECOUPLED) p = p * decay;
    else if (flags & ADAM_L2) g = g + p * wd;
    const mi = load<T>(at<T>(m, i)) * b1 + keep1 * g;
    const vi = load<T>(at<T>(v, i)) * b2 + keep2 * (g * g);
    store<T>(at<T>(m, i), mi);
    store<T>(at<T>(v, i), vi);
    let second = vi;
    if (flags & ADAM_AMSGRAD) {
      second = maxScalar<T>(load<T>(at<T>(vmax, i)), vi);
      store<T>(at<T>(vmax, i), second);
    }
    const denom = sqrt<T>(second) / bc2 + eps;
    store<T>(at<T>(param, i), p + negStep * (mi / denom));
  }
}

// @ts-ignore: decorator
@inline function rmsprop<T>(
  param: usize, grad: usize, v: usize, ga: usize, buf: usize, n: i32, flags: i32,
  wd: T, alpha: T, keep: T, eps: T, mu: T, negLr: T,
): void {
  const N = 16 / sizeof<T>();
  const vwd = v128.splat<T>(wd);
  const valpha = v128.splat<T>(alpha);
  const vkeep = v128.splat<T>(keep);
  const veps = v128.splat<T>(eps);
  const vmu = v128.splat<T>(mu);
  const vlr = v128.splat<T>(negLr);
  let i = 0;
  for (; i + N <= n; i += N) {
    const p = v128.load(at<T>(param, i));
    let g = v128.load(at<T>(grad, i));
    if (flags & RMS_MAXIMIZE) g = v128.neg<T>(g);
    if (flags & RMS_WEIGHT_DECAY) g = v128.add<T>(g, v128.mul<T>(p, vwd));
    const vi = v128.add<T>(v128.mul<T>(v128.load(at<T>(v, i)), valpha), v128.mul<T>(vkeep, v128.mul<T>(g, g)));
    v128.store(at<T>(v, i), vi);
    let avg: v128;
    if (flags & RMS_CENTERED) {
      const gi = v128.add<T>(v128.mul<T>(v128.load(at<T>(ga, i)), valpha), v128.mul<T>(vkeep, g));
      v128.store(at<T>(ga, i), gi);
      avg = v128.sqrt<T>(v128.sub<T>(vi, v128.mul<T>(gi, gi)));
    } else {
      avg = v128.sqrt<T>(vi);
    }
    avg = v128.add<T>(avg, veps);
    if (flags & RMS_MOMENTUM) {
      const b = v128.add<T>(v128.mul<T>(v128.load(at<T>(buf, i)), vmu), v128.div<T>(g, avg));
      v128.store(at<T>(buf, i), b);
      v128.store(at<T>(param, i), v128.add<T>(p, v128.mul<T>(vlr, b)));
    } else {
      v128.store(at<T>(param, i), v128.add<T>(p, v128.mul<T>(vlr, v128.div<T>(g, avg))));
    }
  }
  for (; i < n; i++) {
    const p = load<T>(at<T>(param, i));
    let g = load<T>(at<T>(grad, i));
    if (flags & RMS_MAXIMIZE) g = -g;
    if (flags & RMS_WEIGHT_DECAY) g = g + p * wd;
    const vi = load<T>(at<T>(v, i)) * alpha + keep * (g * g);
    store<T>(at<T>(v, i), vi);
    let avg: T;
    if (flags & RMS_CENTERED) {
      const gi = load<T>(at<T>(ga, i)) * alpha + keep * g;
      store<T>(at<T>(ga, i), gi);
      avg = sqrt<T>(vi - gi * gi);
    } else {
      avg = sqrt<T>(vi);
    }
    avg = avg + eps;
    if (flags & RMS_MOMENTUM) {
      const b = load<T>(at<T>(buf, i)) * mu + g / avg;
      store<T>(at<T>(buf, i), b);
      store<T>(at<T>(param, i), p + negLr * b);
    } else {
      store<T>(at<T>(param, i), p + negLr * (g / avg));
    }
  }
}

/** SGD step; flags: 1 maximize, 2 weight decay, 4 momentum, 8 first step, 16 Nesterov. */
export function sgd_step_f32(param: usize, grad: usize, buf: usize, n: i32, flags: i32, wd: f32, mu: f32, keep: f32, negLr: f32): void {
  sgd<f32>(param, grad, buf, n, flags, wd, mu, keep, negLr);
}
export function sgd_step_f64(param: usize, grad: usize, buf: usize, n: i32, flags: i32, wd: f64, mu: f64, keep: f64, negLr: f64): void {
  sgd<f64>(param, grad, buf, n, flags, wd, mu, keep, negLr);
}

/**
 * Adam/AdamW step; flags: 1 maximize, 2 L2 weight decay, 4 decoupled weight decay, 8 amsgrad. A
 * non-zero `step` points at the float32 step count t, from which bc2 and negStep are computed
 * (with γ = lr) instead of taken from the arguments.
 */
export function adam_step_f32(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32, flags: i32,
  b1: f32, keep1: f32, b2: f32, keep2: f32, wd: f32, decay: f32, bc2: f32, eps: f32, negStep: f32, step: usize, lr: f64,
): void {
  adam<f32>(param, grad, m, v, vmax, n, flags, b1, keep1, b2, keep2, wd, decay, bc2, eps, negStep, step, lr);
}
export function adam_step_f64(
  param: usize, grad: usize, m: usize, v: usize, vmax: usize, n: i32, flags: i32,
  b1: f64, keep1: f64, b2: f64, keep2: f64, wd: f64, decay: f64, bc2: f64, eps: f64, negStep: f64, step: usize, lr: f64,
): void {
  adam<f64>(param, grad, m, v, vmax, n, flags, b1, keep1, b2, keep2, wd, decay, bc2, eps, negStep, step, lr);
}

/** RMSprop step; flags: 1 maximize, 2 weight decay, 4 centered, 8 momentum. */
export function rmsprop_step_f32(
  param: usize, grad: usize, v: usize, ga: usize, buf: usize, n: i32, flags: i32,
  wd: f32, alpha: f32, keep: f32, eps: f32, mu: f32, negLr: f32,
): void {
  rmsprop<f32>(param, grad, v, ga, buf, n, flags, wd, alpha, keep, eps, mu, negLr);
}
export function rmsprop_step_f64(
  param: usize, grad: usize, v: usize, ga: usize, buf: usize, n: i32, flags: i32,
  wd: f64, alpha: f64, keep: f64, eps: f64, mu: f64, negLr: f64,
): void {
  rmsprop<f64>(param, grad, v, ga, buf, n, flags, wd, alpha, keep, eps, mu, negLr);
}
