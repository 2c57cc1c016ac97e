/**
 * Lane helpers shared by the kernel families: addressing, lane counts and the scalar conversions
 * whose JavaScript semantics the kernels must reproduce exactly.
 */

/** Address of element `i` of a T array at `base`. */
// @ts-ignore: decorator
@inline export function at<T>(base: usize, i: i32): usize {
  return base + (<usize>i << alignof<T>());
}

/**
 * JavaScript's ToInt32 (what storing a number into an Int32Array does): truncate toward zero, wrap
 * modulo 2^32, NaN and ±Infinity become 0.
 */
// @ts-ignore: decorator
@inline export function toInt32(x: f64): i32 {
  if (abs<f64>(x) < 2147483648.0) return <i32>x;
  if (!isFinite<f64>(x)) return 0;
  const t = trunc<f64>(x);
  const r = t - 4294967296.0 * floor<f64>(t / 4294967296.0); // exact, in [0, 2^32)
  return <i32><i64>r;
}

/** C's int32 division as the reference computes it: Math.trunc(a / b) stored into an Int32Array. */
// @ts-ignore: decorator
@inline export function divTrunc(a: i32, b: i32): i32 {
  if (b == 0) return 0; // ±Infinity or NaN, stored as 0
  if (b == -1) return -a; // wraps for -2^31, as 2^31 does when stored
  return a / b;
}

/**
 * JavaScript's Math.pow on top of the C99 pow of the standard library: JS differs only in that a
 * NaN exponent always gives NaN and (±1) ** (±Infinity) is NaN rather than 1.
 */
// @ts-ignore: decorator
@inline export function powJS(a: f64, b: f64): f64 {
  if (isNaN<f64>(b)) return NaN;
  if (abs<f64>(a) == 1.0 && !isFinite<f64>(b)) return NaN;
  return Math.pow(a, b);
}

/** 64 bytes of static scratch for moving lanes through memory (tails, lane merges). */
export const laneScratch: usize = memory.data(64, 16);
