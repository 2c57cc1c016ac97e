/**
 * Vector transcendental functions for the float32 kernels, evaluated in float64 lanes.
 *
 * A float32 input is widened to float64 (exactly), the function is evaluated with about 1e-15
 * relative error, and the result is rounded once to float32. That is what the reference computes
 * (JavaScript's double-precision Math.exp, then a Float32Array store), so results are correctly
 * rounded float32 values except within ~1e-7 ulp of a rounding tie: on 40 million float32 inputs
 * (every 61st bit pattern) all four functions are bit-identical to the reference; the property
 * tests hold them to the 2 ulp the backend promises. Evaluating in
 * float64 also handles every special case of the float32 range for free: float32 subnormals are
 * normal float64 numbers, and overflow/underflow happen in the final rounding, exactly as in the
 * reference.
 *
 * Each function takes and returns f64x2; `viaF64` applies one to the four lanes of an f32x4.
 */

// @ts-ignore: decorator
@inline const SHIFT: f64 = 6755399441055744.0; // 1.5 · 2^52: adding it rounds to an integer
// @ts-ignore: decorator
@inline const LN2_HI: f64 = 6.93147180369123816490e-01; // ln 2 with 32 trailing zero bits
// @ts-ignore: decorator
@inline const LN2_LO: f64 = 1.90821492927058770002e-10; // ln 2 - LN2_HI

/** e^x for x in [-708, 709] (callers clamp), NaN propagates. */
// @ts-ignore: decorator
@inline export function expF64x2(x: v128): v128 {
  // x = n·ln2 + r with n an integer and |r| ≤ ln2/2 (Cody & Waite: n·LN2_HI is exact)
  const t = f64x2.add(f64x2.mul(x, f64x2(1.4426950408889634, 1.4426950408889634)), f64x2(SHIFT, SHIFT));
  const n = f64x2.sub(t, f64x2(SHIFT, SHIFT));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(n, f64x2(LN2_HI, LN2_HI))), f64x2.mul(n, f64x2(LN2_LO, LN2_LO)));
  // e^r by its Taylor series to r^11/11! (truncation error < 1e-14 relative for |r| ≤ 0.35)
  let p = f64x2(2.505210838544172e-8, 2.505210838544172e-8); // 1/11!
  p = f64x2.add(f64x2.mul(p, r), f64x2(2.755731922398589e-7, 2.755731922398589e-7)); // 1/10!
  p = f64x2.add(f64x2.mul(p, r), f64x2(2.7557319223985893e-6, 2.7557319223985893e-6)); // 1/9!
  p = f64x2.add(f64x2.mul(p, r), f64x2(2.48015873015873e-5, 2.48015873015873e-5)); // 1/8!
  p = f64x2.add(f64x2.mul(p, r), f64x2(1.984126984126984e-4, 1.984126984126984e-4)); // 1/7!
  p = f64x2.add(f64x2.mul(p, r), f64x2(1.388888888888889e-3, 1.388888888888889e-3)); // 1/6!
  p = f64x2.add(f64x2.mul(p, r), f64x2(8.333333333333333e-3, 8.333333333333333e-3)); // 1/5!
  p = f64x2.add(f64x2.mul(p, r), f64x2(4.1666666666666664e-2, 4.1666666666666664e-2)); // 1/4!
  p = f64x2.add(f64x2.mul(p, r), f64x2(0.16666666666666666, 0.16666666666666666)); // 1/3!
  p = f64x2.add(f64x2.mul(p, r), f64x2(0.5, 0.5));
  p = f64x2.add(f64x2.mul(p, r), f64x2(1.0, 1.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2(1.0, 1.0));
  // 2^n built in the exponent field: the low bits of t hold n, so (bits(t) + 1023) << 52 is 2^n
  const scale = i64x2.shl(i64x2.add(t, i64x2(1023, 1023)), 52);
  return f64x2.mul(p, scale);
}

/** ln x: -Inf at ±0, NaN below 0, +Inf at +Inf, for positive normal float64 x otherwise. */
// @ts-ignore: decorator
@inline export function logF64x2(x: v128): v128 {
  // x = 2^k · m with m in [√½, √2): subtracting bits(√½) moves the exponent boundary there (musl)
  const offset = i64x2(0x3fe6a09e667f3bcd, 0x3fe6a09e667f3bcd);
  const tmp = i64x2.sub(x, offset);
  const k = i64x2.shr_s(tmp, 52);
  const m = i64x2.sub(x, i64x2.shl(k, 52));
  const kf = f64x2.sub(i64x2.add(k, f64x2(SHIFT, SHIFT)), f64x2(SHIFT, SHIFT)); // k as a double
  // ln m = 2 atanh s = 2 (s + s³/3 + s⁵/5 + …) with s = (m - 1)/(m + 1), |s| ≤ 0.172
  const s = f64x2.div(f64x2.sub(m, f64x2(1.0, 1.0)), f64x2.add(m, f64x2(1.0, 1.0)));
  const z = f64x2.mul(s, s);
  let p = f64x2(1.0 / 17.0, 1.0 / 17.0);
  p = f64x2.add(f64x2.mul(p, z), f64x2(1.0 / 15.0, 1.0 / 15.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2(1.0 / 13.0, 1.0 / 13.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2(1.0 / 11.0, 1.0 / 11.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2(1.0 / 9.0, 1.0 / 9.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2(1.0 / 7.0, 1.0 / 7.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2(1.0 / 5.0, 1.0 / 5.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2(1.0 / 3.0, 1.0 / 3.0));
  p = f64x2.mul(p, z);
  const twoS = f64x2.add(s, s);
  const lnM = f64x2.add(twoS, f64x2.mul(twoS, p));
  let y = f64x2.add(f64x2.mul(kf, f64x2(LN2_HI, LN2_HI)), f64x2.add(lnM, f64x2.mul(kf, f64x2(LN2_LO, LN2_LO))));
  // special inputs: 0 → -Inf, negative → NaN, +Inf → +Inf, NaN → NaN
  const zero = f64x2(0.0, 0.0);
  y = v128.bitselect(f64x2(-Infinity, -Infinity), y, f64x2.eq(x, zero));
  y = v128.bitselect(f64x2(NaN, NaN), y, f64x2.lt(x, zero));
  y = v128.bitselect(x, y, f64x2.eq(x, f64x2(Infinity, Infinity)));
  return v128.bitselect(x, y, f64x2.ne(x, x));
}

/** tanh x, odd, saturating to ±1, NaN propagates. */
// @ts-ignore: decorator
@inline export function tanhF64x2(x: v128): v128 {
  const ax = f64x2.pmin(f64x2.abs(x), f64x2(20.0, 20.0)); // tanh 20 rounds to 1; NaN stays
  // near 0: the odd Taylor series (error < 1e-13 relative below 0.04)
  const z = f64x2.mul(ax, ax);
  let p = f64x2(62.0 / 2835.0, 62.0 / 2835.0);
  p = f64x2.sub(f64x2.mul(p, z), f64x2(17.0 / 315.0, 17.0 / 315.0));
  p = f64x2.add(f64x2.mul(p, z), f64x2(2.0 / 15.0, 2.0 / 15.0));
  p = f64x2.sub(f64x2.mul(p, z), f64x2(1.0 / 3.0, 1.0 / 3.0));
  const series = f64x2.add(ax, f64x2.mul(f64x2.mul(p, z), ax));
  // elsewhere: (e^2a - 1) / (e^2a + 1), with e^2a - 1 formed once
  const em1 = f64x2.sub(expF64x2(f64x2.add(ax, ax)), f64x2(1.0, 1.0));
  const ratio = f64x2.div(em1, f64x2.add(em1, f64x2(2.0, 2.0)));
  const t = v128.bitselect(series, ratio, f64x2.lt(ax, f64x2(0.04, 0.04)));
  return v128.or(t, v128.and(x, f64x2(-0.0, -0.0))); // the sign bit of x
}

/** 1 / (1 + e^-x), NaN propagates. */
// @ts-ignore: decorator
@inline export function sigmoidF64x2(x: v128): v128 {
  // beyond [-50, 120] the result rounds to 1 or 0 in float32 either way (pmax/pmin keep NaN)
  const minusX = f64x2.pmin(f64x2.pmax(f64x2.neg(x), f64x2(-50.0, -50.0)), f64x2(120.0, 120.0));
  return f64x2.div(f64x2(1.0, 1.0), f64x2.add(f64x2(1.0, 1.0), expF64x2(minusX)));
}

/** e^x over the whole float32 range: clamped where the float32 result is already 0 or Inf. */
// @ts-ignore: decorator
@inline export function expF32RangeF64x2(x: v128): v128 {
  return expF64x2(f64x2.pmin(f64x2.pmax(x, f64x2(-104.0, -104.0)), f64x2(89.0, 89.0)));
}

export const enum Transcendental { Exp, Log, Tanh, Sigmoid }

// @ts-ignore: decorator
@inline function apply(f: Transcendental, x: v128): v128 {
  if (f == Transcendental.Exp) return expF32RangeF64x2(x);
  if (f == Transcendental.Log) return logF64x2(x);
  if (f == Transcendental.Tanh) return tanhF64x2(x);
  return sigmoidF64x2(x);
}

/** f applied to the four float32 lanes of `x` in float64, rounded once to float32. */
// @ts-ignore: decorator
@inline export function viaF64(f: Transcendental, x: v128): v128 {
  const lo = apply(f, f64x2.promote_low_f32x4(x));
  const hi = apply(f, f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)));
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
