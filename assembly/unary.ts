/**
 * Element-wise functions of one operand: out[i] = f(a[i]), `out` may be `a`.
 *
 * float32 runs every function four lanes at a time: the exact ones (neg, abs, sign, sqrt, relu) in
 * f32x4, the transcendental ones in float64 lanes (see math.ts). float64 vectorises the exact ones
 * and calls the FDLIBM ports of fdlibm.ts for exp, log and tanh (bit-identical to V8's Math).
 * int32 computes as the reference does: in double precision, stored with JavaScript's ToInt32.
 */
import { at, laneScratch, toInt32 } from "./lanes";
import * as fdlibm from "./fdlibm";
import { Transcendental, viaF64 } from "./math";

export const enum UnaryOp { Neg, Abs, Sign, Exp, Log, Sqrt, Tanh, Sigmoid, Relu }

/** Whether op has a lane-wise form for T (float64 transcendentals and int32 sqrt do not). */
// @ts-ignore: decorator
@inline function vectorizable<T>(op: UnaryOp): bool {
  if (op == UnaryOp.Neg || op == UnaryOp.Abs || op == UnaryOp.Sign || op == UnaryOp.Relu) return true;
  if (op == UnaryOp.Sqrt) return isFloat<T>();
  return sizeof<T>() == 4 && isFloat<T>();
}

// @ts-ignore: decorator
@inline function transcendental(op: UnaryOp): Transcendental {
  if (op == UnaryOp.Exp) return Transcendental.Exp;
  if (op == UnaryOp.Log) return Transcendental.Log;
  if (op == UnaryOp.Tanh) return Transcendental.Tanh;
  return Transcendental.Sigmoid;
}

/** op on the lanes of x, for the (op, T) pairs `vectorizable` admits. */
// @ts-ignore: decorator
@inline function vector<T>(op: UnaryOp, x: v128): v128 {
  if (op == UnaryOp.Neg) return v128.neg<T>(x);
  if (isInteger<T>()) {
    if (op == UnaryOp.Abs) return i32x4.abs(x);
    if (op == UnaryOp.Sign) return i32x4.sub(i32x4.lt_s(x, i32x4.splat(0)), i32x4.gt_s(x, i32x4.splat(0)));
    return i32x4.max_s(x, i32x4.splat(0)); // Relu
  } else {
    const zero = v128.splat<T>(0);
    const isNaN = v128.ne<T>(x, x);
    if (op == UnaryOp.Abs) return v128.abs<T>(x);
    if (op == UnaryOp.Sqrt) return v128.sqrt<T>(x);
    if (op == UnaryOp.Sign) {
      // 1, -1, or +0 for ±0 and NaN (PyTorch's (0 < x) − (x < 0)): both comparisons are false for NaN
      return v128.or(v128.and(v128.gt<T>(x, zero), v128.splat<T>(1)), v128.and(v128.lt<T>(x, zero), v128.splat<T>(-1)));
    }
    if (op == UnaryOp.Relu) return v128.and(x, v128.or(v128.gt<T>(x, zero), isNaN)); // -0 → +0
    return viaF64(transcendental(op), x);
  }
}

/** op on one element, in double precision and stored as T, as the reference computes it. */
// @ts-ignore: decorator
@inline function scalar<T>(op: UnaryOp, v: T): T {
  const x = <f64>v;
  let y: f64;
  if (op == UnaryOp.Neg) return -v;
  if (op == UnaryOp.Abs) return isInteger<T>() ? <T>(v < 0 ? -v : v) : <T>abs<f64>(x);
  if (op == UnaryOp.Sign) y = x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
  else if (op == UnaryOp.Relu) y = x > 0 ? x : x == 0 || x < 0 ? 0.0 : x;
  else if (op == UnaryOp.Sqrt) y = Math.sqrt(x);
  else if (op == UnaryOp.Exp) y = fdlibm.exp(x);
  else if (op == UnaryOp.Log) y = fdlibm.log(x);
  else if (op == UnaryOp.Tanh) y = fdlibm.tanh(x);
  else y = 1.0 / (1.0 + fdlibm.exp(-x));
  if (isInteger<T>()) return <T>toInt32(y);
  return <T>y;
}

// @ts-ignore: decorator
@inline function unary<T>(op: UnaryOp, out: usize, a: usize, n: i32): void {
  const N = 16 / sizeof<T>();
  let i = 0;
  if (vectorizable<T>(op)) {
    for (; i + N <= n; i += N) v128.store(at<T>(out, i), vector<T>(op, v128.load(at<T>(a, i))));
    if (i < n && sizeof<T>() == 4 && isFloat<T>()) {
      // the tail goes through the same lanes, so an element's result does not depend on its position
      v128.store(laneScratch, f32x4.splat(0));
      for (let j = 0; j < n - i; j++) store<T>(at<T>(laneScratch, j), load<T>(at<T>(a, i + j)));
      v128.store(laneScratch, vector<T>(op, v128.load(laneScratch)));
      for (let j = 0; j < n - i; j++) store<T>(at<T>(out, i + j), load<T>(at<T>(laneScratch, j)));
      return;
    }
  }
  for (; i < n; i++) store<T>(at<T>(out, i), scalar<T>(op, load<T>(at<T>(a, i))));
}

/** out[i] = -a[i] */
export function neg_f32(out: usize, a: usize, n: i32): void { unary<f32>(UnaryOp.Neg, out, a, n); }
export function neg_f64(out: usize, a: usize, n: i32): void { unary<f64>(UnaryOp.Neg, out, a, n); }
export function neg_i32(out: usize, a: usize, n: i32): void { unary<i32>(UnaryOp.Neg, out, a, n); }
/** out[i] = |a[i]| */
export function abs_f32(out: usize, a: usize, n: i32): void { unary<f32>(UnaryOp.Abs, out, a, n); }
export function abs_f64(out: usize, a: usize, n: i32): void { unary<f64>(UnaryOp.Abs, out, a, n); }
export function abs_i32(out: usize, a: usize, n: i32): void { unary<i32>(UnaryOp.Abs, out, a, n); }
/** out[i] = -1, 0 or 1 by the sign of a[i]; ±0 and NaN give 0, as in PyTorch */
export function sign_f32(out: usize, a: usize, n: i32): void { unary<f32>(UnaryOp.Sign, out, a, n); }
export function sign_f64(out: usize, a: usize, n: i32): void { unary<f64>(UnaryOp.Sign, out, a, n); }
export function sign_i32(out: usize, a: usize, n: i32): void { unary<i32>(UnaryOp.Sign, out, a, n); }
/** out[i] = e^a[i] */
export function exp_f32(out: usize, a: usize, n: i32): void { unary<f32>(UnaryOp.Exp, out, a, n); }
export function exp_f64(out: usize, a: usize, n: i32): void { unary<f64>(UnaryOp.Exp, out, a, n); }
export function exp_i32(out: usize, a: usize, n: i32): void { unary<i32>(UnaryOp.Exp, out, a, n); }
/** out[i] = ln a[i] */
export function log_f32(out: usize, a: usize, n: i32): void { unary<f32>(UnaryOp.Log, out, a, n); }
export function log_f64(out: usize, a: usize, n: i32): void { unary<f64>(UnaryOp.Log, out, a, n); }
export function log_i32(out: usize, a: usize, n: i32): void { unary<i32>(UnaryOp.Log, out, a, n); }
/** out[i] = √a[i] */
export function sqrt_f32(out: usize, a: usize, n: i32): void { unary<f32>(UnaryOp.Sqrt, out, a, n); }
export function sqrt_f64(out: usize, a: usize, n: i32): void { unary<f64>(UnaryOp.Sqrt, out, a, n); }
export function sqrt_i32(out: usize, a: usize, n: i32): void { unary<i32>(UnaryOp.Sqrt, out, a, n); }
/** out[i] = tanh a[i] */
export function tanh_f32(out: usize, a: usize, n: i32): void { unary<f32>(UnaryOp.Tanh, out, a, n); }
export function tanh_f64(out: usize, a: usize, n: i32): void { unary<f64>(UnaryOp.Tanh, out, a, n); }
export function tanh_i32(out: usize, a: usize, n: i32): void { unary<i32>(UnaryOp.Tanh, out, a, n); }
/** out[i] = 1 / (1 + e^-a[i]) */
export function sigmoid_f32(out: usize, a: usize, n: i32): void { unary<f32>(UnaryOp.Sigmoid, out, a, n); }
export function sigmoid_f64(out: usize, a: usize, n: i32): void { unary<f64>(UnaryOp.Sigmoid, out, a, n); }
export function sigmoid_i32(out: usize, a: usize, n: i32): void { unary<i32>(UnaryOp.Sigmoid, out, a, n); }
/** out[i] = max(a[i], 0), with -0 → +0 and NaN kept */
export function relu_f32(out: usize, a: usize, n: i32): void { unary<f32>(UnaryOp.Relu, out, a, n); }
export function relu_f64(out: usize, a: usize, n: i32): void { unary<f64>(UnaryOp.Relu, out, a, n); }
export function relu_i32(out: usize, a: usize, n: i32): void { unary<i32>(UnaryOp.Relu, out, a, n); }
