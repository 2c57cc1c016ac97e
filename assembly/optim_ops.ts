/**
 * The fused in-place updates optimizers are written in. Every operand has n elements and `out`
 * may be `a`. Each intermediate result is rounded to the dtype, in the reference's order and
 * without fused multiply-add, so float32 and float64 results are bit-identical to the reference.
 * int32 wraps (the reference agrees wherever its double-precision products are exact, < 2^53).
 */
import { at, divTrunc } from "./lanes";

export const enum UpdateOp { AddScaled, Addcmul, Addcdiv, Lerp }

// @ts-ignore: decorator
@inline function vectorizable<T>(op: UpdateOp): bool {
  return !(op == UpdateOp.Addcdiv && isInteger<T>());
}

/** The update on lanes: p and q are the tensor operands after a, s the scalar (splat). */
// @ts-ignore: decorator
@inline function vector<T>(op: UpdateOp, a: v128, p: v128, q: v128, s: v128): v128 {
  if (op == UpdateOp.AddScaled) return v128.add<T>(a, v128.mul<T>(s, p)); // a + s·p
  if (op == UpdateOp.Addcmul) return v128.add<T>(a, v128.mul<T>(s, v128.mul<T>(p, q))); // a + s·(p·q)
  if (op == UpdateOp.Lerp) return v128.add<T>(a, v128.mul<T>(s, v128.sub<T>(p, a))); // a + s·(p - a)
  if (isFloat<T>()) return v128.add<T>(a, v128.mul<T>(s, v128.div<T>(p, q))); // a + s·(p / q)
  return unreachable();
}

// @ts-ignore: decorator
@inline function scalar<T>(op: UpdateOp, a: T, p: T, q: T, s: T): T {
  if (op == UpdateOp.AddScaled) return a + s * p;
  if (op == UpdateOp.Addcmul) return a + s * (p * q);
  if (op == UpdateOp.Lerp) return a + s * (p - a);
  if (isInteger<T>()) return a + s * <T>divTrunc(<i32>p, <i32>q);
  return a + s * (p / q);
}

// @ts-ignore: decorator
@inline function update<T>(op: UpdateOp, out: usize, a: usize, p: usize, q: usize, s: T, n: i32): void {
  const N = 16 / sizeof<T>();
  let i = 0;
  if (vectorizable<T>(op)) {
    const vs = v128.splat<T>(s);
    for (; i + N <= n; i += N) {
      const vq = op == UpdateOp.Addcmul || op == UpdateOp.Addcdiv ? v128.load(at<T>(q, i)) : vs;
      v128.store(at<T>(out, i), vector<T>(op, v128.load(at<T>(a, i)), v128.load(at<T>(p, i)), vq, vs));
    }
  }
  for (; i < n; i++) {
    const vq = op == UpdateOp.Addcmul || op == UpdateOp.Addcdiv ? load<T>(at<T>(q, i)) : s;
    store<T>(at<T>(out, i), scalar<T>(op, load<T>(at<T>(a, i)), load<T>(at<T>(p, i)), vq, s));
  }
}

/** out[i] = a[i] + alpha · b[i] */
export function add_scaled_f32(out: usize, a: usize, b: usize, alpha: f32, n: i32): void { update<f32>(UpdateOp.AddScaled, out, a, b, 0, alpha, n); }
export function add_scaled_f64(out: usize, a: usize, b: usize, alpha: f64, n: i32): void { update<f64>(UpdateOp.AddScaled, out, a, b, 0, alpha, n); }
export function add_scaled_i32(out: usize, a: usize, b: usize, alpha: i32, n: i32): void { update<i32>(UpdateOp.AddScaled, out, a, b, 0, alpha, n); }
/** out[i] = a[i] + value · t1[i] · t2[i] */
export function addcmul_f32(out: usize, a: usize, t1: usize, t2: usize, value: f32, n: i32): void { update<f32>(UpdateOp.Addcmul, out, a, t1, t2, value, n); }
export function addcmul_f64(out: usize, a: usize, t1: usize, t2: usize, value: f64, n: i32): void { update<f64>(UpdateOp.Addcmul, out, a, t1, t2, value, n); }
export function addcmul_i32(out: usize, a: usize, t1: usize, t2: usize, value: i32, n: i32): void { update<i32>(UpdateOp.Addcmul, out, a, t1, t2, value, n); }
/** out[i] = a[i] + value · t1[i] / t2[i] */
export function addcdiv_f32(out: usize, a: usize, t1: usize, t2: usize, value: f32, n: i32): void { update<f32>(UpdateOp.Addcdiv, out, a, t1, t2, value, n); }
export function addcdiv_f64(out: usize, a: usize, t1: usize, t2: usize, value: f64, n: i32): void { update<f64>(UpdateOp.Addcdiv, out, a, t1, t2, value, n); }
export function addcdiv_i32(out: usize, a: usize, t1: usize, t2: usize, value: i32, n: i32): void { update<i32>(UpdateOp.Addcdiv, out, a, t1, t2, value, n); }
/** out[i] = a[i] + weight · (b[i] - a[i]) */
export function lerp_f32(out: usize, a: usize, b: usize, weight: f32, n: i32): void { update<f32>(UpdateOp.Lerp, out, a, b, 0, weight, n); }
export function lerp_f64(out: usize, a: usize, b: usize, weight: f64, n: i32): void { update<f64>(UpdateOp.Lerp, out, a, b, 0, weight, n); }
export function lerp_i32(out: usize, a: usize, b: usize, weight: i32, n: i32): void { update<i32>(UpdateOp.Lerp, out, a, b, 0, weight, n); }
