/**
 * exp, log and tanh for float64, ported from FDLIBM 5.3: the same algorithms, constants and
 * operation order as V8's Math.exp, Math.log and Math.tanh (base/ieee754.cc is a port of FDLIBM
 * too), so float64 results are bit-identical to the reference in V8 (Node, Deno, Chrome) and
 * within 1 ulp of the correctly rounded value everywhere. (AssemblyScript's Math is a port of musl,
 * whose exp and tanh differ from V8's by up to 1 and 3 ulp.)
 *
 * ====================================================
 * Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *
 * Developed at SunSoft, a Sun Microsystems, Inc. business.
 * Permission to use, copy, modify, and distribute this
 * software is freely granted, provided that this notice
 * is preserved.
 * ====================================================
 */

// @ts-ignore: decorator
@inline function highWord(x: f64): i32 {
  return <i32>(reinterpret<u64>(x) >> 32);
}
// @ts-ignore: decorator
@inline function lowWord(x: f64): u32 {
  return <u32>reinterpret<u64>(x);
}
// @ts-ignore: decorator
@inline function withHighWord(x: f64, high: i32): f64 {
  return reinterpret<f64>((<u64><u32>high << 32) | <u64>lowWord(x));
}

const LN2_HI: f64 = 6.93147180369123816490e-01; // 0x3fe62e42 fee00000
const LN2_LO: f64 = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const INV_LN2: f64 = 1.44269504088896338700e+00;
const TWO_M1000: f64 = 9.33263618503218878990e-302; // 2^-1000

/** e^x (FDLIBM e_exp.c): reduce x = k·ln2 + r, |r| ≤ ln2/2, then a rational approximation of e^r. */
export function exp(x: f64): f64 {
  let hx = <u32>highWord(x);
  const negative = <i32>(hx >> 31);
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) { // |x| ≥ 709.78…
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | lowWord(x)) != 0) return x + x; // NaN
      return negative == 0 ? x : 0.0; // e^+Inf = Inf, e^-Inf = 0
    }
    if (x > 7.09782712893383973096e+02) return Infinity;
    if (x < -7.45133219101941108420e+02) return 0.0;
  }
  let hi: f64 = 0;
  let lo: f64 = 0;
  let k: i32 = 0;
  if (hx > 0x3fd62e42) { // |x| > ln2/2
    if (hx < 0x3ff0a2b2) { // and |x| < 1.5 ln2
      if (x == 1.0) return 2.718281828459045; // e, correctly rounded (FreeBSD's addition, kept by V8)
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = 1 - negative - negative;
    } else {
      k = <i32>(INV_LN2 * x + (negative ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI; // exact: t·LN2_HI has trailing zeros
      lo = t * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) { // |x| < 2^-28
    return 1.0 + x;
  }
  const t = x * x;
  const c = x - t * (1.66666666666666019037e-01 + t * (-2.77777777770155933842e-03 + t * (6.61375632143793436117e-05 +
    t * (-1.65339022054652515390e-06 + t * 4.13813679705723846039e-08))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  const y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return withHighWord(y, highWord(y) + ((k - 1) << 20)) * 2.0;
    return withHighWord(y, highWord(y) + (k << 20));
  }
  return withHighWord(y, highWord(y) + ((k + 1000) << 20)) * TWO_M1000;
}

/** ln x (FDLIBM e_log.c): x = 2^k·(1 + f), ln(1 + f) = 2s + s·R(s²) with s = f / (2 + f). */
export function log(x: f64): f64 {
  let hx = highWord(x);
  const lx = lowWord(x);
  let k: i32 = 0;
  if (hx < 0x00100000) { // x < 2^-1022
    if (((hx & 0x7fffffff) | lx) == 0) return -Infinity; // log(±0)
    if (hx < 0) return NaN; // log(negative)
    k -= 54;
    x *= 1.80143985094819840000e+16; // 2^54: subnormal, scale up
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  let i = (hx + 0x95f64) & 0x100000;
  x = withHighWord(x, hx | (i ^ 0x3ff00000)); // normalize x or x/2
  k += i >> 20;
  const f = x - 1.0;
  const dk = <f64>k;
  if ((0x000fffff & (2 + hx)) < 3) { // |f| < 2^-20
    if (f == 0) return k == 0 ? 0.0 : dk * LN2_HI + dk * LN2_LO;
    const R = f * f * (0.5 - 0.33333333333333333 * f);
    return k == 0 ? f - R : dk * LN2_HI - ((R - dk * LN2_LO) - f);
  }
  const s = f / (2.0 + f);
  const z = s * s;
  i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01 + w * 1.531383769920937332e-01));
  const t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01 + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
  i |= j;
  const R = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k == 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - ((hfsq - (s * (hfsq + R) + dk * LN2_LO)) - f);
  }
  return k == 0 ? f - s * (f - R) : dk * LN2_HI - ((s * (f - R) - dk * LN2_LO) - f);
}

/** e^x - 1 without cancellation near 0 (FDLIBM s_expm1.c), what tanh is built on. */
export function expm1(x: f64): f64 {
  let hx = <u32>highWord(x);
  const negative = (hx & 0x80000000) != 0;
  hx &= 0x7fffffff;
  if (hx >= 0x4043687a) { // |x| ≥ 56·ln2
    if (hx >= 0x40862e42) { // |x| ≥ 709.78…
      if (hx >= 0x7ff00000) {
        if (((hx & 0xfffff) | lowWord(x)) != 0) return x + x; // NaN
        return negative ? -1.0 : x;
      }
      if (x > 7.09782712893383973096e+02) return Infinity;
    }
    if (negative) return -1.0; // e^x < 2^-56
  }
  let hi: f64 = 0;
  let lo: f64 = 0;
  let c: f64 = 0;
  let k: i32 = 0;
  if (hx > 0x3fd62e42) { // |x| > ln2/2
    if (hx < 0x3ff0a2b2) { // and |x| < 1.5 ln2
      if (!negative) {
        hi = x - LN2_HI;
        lo = LN2_LO;
        k = 1;
      } else {
        hi = x + LN2_HI;
        lo = -LN2_LO;
        k = -1;
      }
    } else {
      k = <i32>(INV_LN2 * x + (negative ? -0.5 : 0.5));
      const t = <f64>k;
      hi = x - t * LN2_HI;
      lo = t * LN2_LO;
    }
    x = hi - lo;
    c = (hi - x) - lo;
  } else if (hx < 0x3c900000) { // |x| < 2^-54
    return x;
  }
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1.0 + hxs * (-3.33333333333331316428e-02 + hxs * (1.58730158725481460165e-03 + hxs * (-7.93650757867487942473e-05 +
    hxs * (4.00821782732936239552e-06 + hxs * -2.01099218183624371326e-07))));
  let t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k == 0) return x - (x * e - hxs);
  e = x * (e - c) - c;
  e -= hxs;
  if (k == -1) return 0.5 * (x - e) - 0.5;
  if (k == 1) return x < -0.25 ? -2.0 * (e - (x + 0.5)) : 1.0 + 2.0 * (x - e);
  let y: f64;
  if (k <= -2 || k > 56) { // e^x - 1 is e^x here
    y = 1.0 - (e - x);
    if (k == 1024) return withHighWord(y, highWord(y) + ((k - 1) << 20)) * 2.0 - 1.0;
    return withHighWord(y, highWord(y) + (k << 20)) - 1.0;
  }
  if (k < 20) {
    t = reinterpret<f64>(<u64><u32>(0x3ff00000 - (0x200000 >> k)) << 32); // 1 - 2^-k
    y = t - (e - x);
  } else {
    t = reinterpret<f64>(<u64><u32>((0x3ff - k) << 20) << 32); // 2^-k
    y = x - (e + t);
    y += 1.0;
  }
  return withHighWord(y, highWord(y) + (k << 20));
}

/** tanh x (FDLIBM s_tanh.c): from expm1, saturating to ±1 beyond |x| = 22. */
export function tanh(x: f64): f64 {
  const jx = highWord(x);
  const ix = jx & 0x7fffffff;
  if (ix >= 0x7ff00000) return jx >= 0 ? 1.0 / x + 1.0 : 1.0 / x - 1.0; // ±Inf → ±1, NaN → NaN
  let z: f64;
  if (ix < 0x40360000) { // |x| < 22
    if (ix < 0x3e300000) return x; // |x| < 2^-28: tanh x rounds to x (FreeBSD's bound, kept by V8)
    if (ix >= 0x3ff00000) { // |x| ≥ 1
      const t = expm1(2.0 * abs<f64>(x));
      z = 1.0 - 2.0 / (t + 2.0);
    } else {
      const t = expm1(-2.0 * abs<f64>(x));
      z = -t / (t + 2.0);
    }
  } else {
    z = 1.0; // FDLIBM's 1 - tiny, which rounds to 1
  }
  return jx >= 0 ? z : -z;
}
