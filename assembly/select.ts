/**
 * Selection: clamp and where. Both are exact (they only pick values), so every dtype is
 * bit-identical to the reference.
 */
import { at } from "./lanes";

/**
 * out[i] = a[i] < lo ? lo : a[i] > hi ? hi : a[i], the reference's order (lo wins if lo > hi);
 * NaN stays NaN. The reference compares with the bounds as given (doubles) and stores them rounded,
 * so the caller passes both: loBelow/hiAbove, the thresholds that decide a comparison in T exactly
 * as the double would (for float32: the float32 just above lo, just below hi), and loValue/hiValue,
 * the bounds rounded to T.
 */
// @ts-ignore: decorator
@inline function clampFloat<T>(out: usize, a: usize, loBelow: T, hiAbove: T, loValue: T, hiValue: T, n: i32): void {
  const N = 16 / sizeof<T>();
  const vlo = v128.splat<T>(loBelow);
  const vhi = v128.splat<T>(hiAbove);
  const vloValue = v128.splat<T>(loValue);
  const vhiValue = v128.splat<T>(hiValue);
  let i = 0;
  for (; i + N <= n; i += N) {
    const x = v128.load(at<T>(a, i));
    const below = v128.lt<T>(x, vlo);
    const above = v128.andnot(v128.gt<T>(x, vhi), below);
    v128.store(at<T>(out, i), v128.bitselect(vloValue, v128.bitselect(vhiValue, x, above), below));
  }
  for (; i < n; i++) {
    const x = load<T>(at<T>(a, i));
    store<T>(at<T>(out, i), x < loBelow ? loValue : x > hiAbove ? hiValue : x);
  }
}

export function clamp_f32(out: usize, a: usize, loBelow: f32, hiAbove: f32, loValue: f32, hiValue: f32, n: i32): void {
  clampFloat<f32>(out, a, loBelow, hiAbove, loValue, hiValue, n);
}
export function clamp_f64(out: usize, a: usize, lo: f64, hi: f64, n: i32): void { clampFloat<f64>(out, a, lo, hi, lo, hi, n); }

/**
 * int32 clamp: the bounds are compared as the doubles the caller gave (2.5, NaN, ±Infinity) and
 * written as loValue/hiValue, their ToInt32, exactly as the reference does.
 */
export function clamp_i32(out: usize, a: usize, lo: f64, hi: f64, loValue: i32, hiValue: i32, n: i32): void {
  for (let i = 0; i < n; i++) {
    const x = load<i32>(at<i32>(a, i));
    const v = <f64>x;
    store<i32>(at<i32>(out, i), v < lo ? loValue : v > hi ? hiValue : x);
  }
}

/** out[i] = cond[i] != 0 ? a[i] : b[i]; cond has out's dtype (NaN counts as true, -0 as false). */
// @ts-ignore: decorator
@inline function where<T>(out: usize, cond: usize, a: usize, b: usize, n: i32): void {
  const N = 16 / sizeof<T>();
  const zero = v128.splat<T>(0);
  let i = 0;
  for (; i + N <= n; i += N) {
    const pick = v128.ne<T>(v128.load(at<T>(cond, i)), zero);
    v128.store(at<T>(out, i), v128.bitselect(v128.load(at<T>(a, i)), v128.load(at<T>(b, i)), pick));
  }
  for (; i < n; i++) store<T>(at<T>(out, i), load<T>(at<T>(cond, i)) != 0 ? load<T>(at<T>(a, i)) : load<T>(at<T>(b, i)));
}

export function where_f32(out: usize, cond: usize, a: usize, b: usize, n: i32): void { where<f32>(out, cond, a, b, n); }
export function where_f64(out: usize, cond: usize, a: usize, b: usize, n: i32): void { where<f64>(out, cond, a, b, n); }
export function where_i32(out: usize, cond: usize, a: usize, b: usize, n: i32): void { where<i32>(out, cond, a, b, n); }
