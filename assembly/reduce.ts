/**
 * Reductions over the middle axis of a viewed as [outer, size, inner]:
 * out[o · inner + i] = op over k of a[(o · size + k) · inner + i].
 *
 * inner == 1 reduces contiguous lines (SIMD lanes take every N-th element); inner > 1 reduces
 * columns (SIMD lanes are N neighbouring columns, each walked in order over k).
 *
 * sum: float32 accumulates in float64 lanes and rounds once, like the reference, so results match
 * it exactly unless the float64 partial sums themselves round (then within a few float64 ulp of the
 * sum before the final rounding). float64 adds in the reference's order (columns in lanes, lines
 * one element after another), so it is bit-identical. int32 wraps, which is exact.
 * max/min/argmax/argmin: the first extreme wins and a NaN is the extreme, exactly as the reference;
 * max and min return the element argmax/argmin picks, so even the sign of a zero agrees.
 *
 * The thread pool (src/backend/wasm/pool.ts) runs a large call as parts, each a run of whole
 * outputs computed exactly as in the whole call (see `reduce`): never a part of one output's sum.
 */
import { at } from "./lanes";

export const enum Extreme { Max, Min }

// ---- sum ----------------------------------------------------------------------------------------

/** Σ_k a[k] over a contiguous line of `size` elements, in the precision described above. */
// @ts-ignore: decorator
@inline function sumLine<T>(a: usize, size: i32): T {
  let k = 0;
  if (isFloat<T>() && sizeof<T>() == 4) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (; k + 8 <= size; k += 8) {
      const x = v128.load(at<f32>(a, k));
      const y = v128.load(at<f32>(a, k + 4));
      s0 = f64x2.add(s0, f64x2.promote_low_f32x4(x));
      s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)));
      s2 = f64x2.add(s2, f64x2.promote_low_f32x4(y));
      s3 = f64x2.add(s3, f64x2.promote_low_f32x4(i32x4.shuffle(y, y, 2, 3, 0, 1)));
    }
    const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
    let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
    for (; k < size; k++) acc += <f64>load<f32>(at<f32>(a, k));
    return <T>acc;
  } else if (isInteger<T>()) {
    let s = i32x4.splat(0);
    for (; k + 4 <= size; k += 4) s = i32x4.add(s, v128.load(at<i32>(a, k)));
    let acc = i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
    for (; k < size; k++) acc += load<i32>(at<i32>(a, k));
    return <T>acc;
  } else {
    let acc: f64 = 0;
    for (; k < size; k++) acc += load<f64>(at<f64>(a, k));
    return <T>acc;
  }
}

/** The upper two float32 lanes of x, as float64. */
// @ts-ignore: decorator
@inline function promoteHigh(x: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1));
}

/** Stores four float64 sums (lo: columns 0, 1; hi: 2, 3) rounded to float32. */
// @ts-ignore: decorator
@inline function storeRounded(out: usize, lo: v128, hi: v128): void {
  v128.store(out, i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
}

/**
 * out[i] = Σ_k a[k · inner + i] for i < count. Each column is summed over k in order whatever the
 * grouping; the groups only decide how much of each row one pass uses: 64 bytes (a cache line) per
 * row, then one vector, then single columns.
 */
// @ts-ignore: decorator
@inline function sumColumns<T>(out: usize, a: usize, size: i32, inner: i32, count: i32): void {
  let i = 0;
  if (isFloat<T>() && sizeof<T>() == 4) {
    for (; i + 16 <= count; i += 16) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      let s4 = f64x2.splat(0), s5 = f64x2.splat(0), s6 = f64x2.splat(0), s7 = f64x2.splat(0);
      for (let k = 0; k < size; k++) {
        const p = at<f32>(a, k * inner + i);
        const x0 = v128.load(p), x1 = v128.load(p, 16), x2 = v128.load(p, 32), x3 = v128.load(p, 48);
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(x0));
        s1 = f64x2.add(s1, promoteHigh(x0));
        s2 = f64x2.add(s2, f64x2.promote_low_f32x4(x1));
        s3 = f64x2.add(s3, promoteHigh(x1));
        s4 = f64x2.add(s4, f64x2.promote_low_f32x4(x2));
        s5 = f64x2.add(s5, promoteHigh(x2));
        s6 = f64x2.add(s6, f64x2.promote_low_f32x4(x3));
        s7 = f64x2.add(s7, promoteHigh(x3));
      }
      const o = at<f32>(out, i);
      storeRounded(o, s0, s1);
      storeRounded(o + 16, s2, s3);
      storeRounded(o + 32, s4, s5);
      storeRounded(o + 48, s6, s7);
    }
    for (; i + 4 <= count; i += 4) {
      let lo = f64x2.splat(0), hi = f64x2.splat(0);
      for (let k = 0; k < size; k++) {
        const x = v128.load(at<f32>(a, k * inner + i));
        lo = f64x2.add(lo, f64x2.promote_low_f32x4(x));
        hi = f64x2.add(hi, promoteHigh(x));
      }
      storeRounded(at<f32>(out, i), lo, hi);
    }
    for (; i < count; i++) {
      let acc: f64 = 0;
      for (let k = 0; k < size; k++) acc += <f64>load<f32>(at<f32>(a, k * inner + i));
      store<f32>(at<f32>(out, i), <f32>acc);
    }
  } else {
    const N = 16 / sizeof<T>();
    for (; i + 4 * N <= count; i += 4 * N) {
      let s0 = v128.splat<T>(0), s1 = v128.splat<T>(0), s2 = v128.splat<T>(0), s3 = v128.splat<T>(0);
      for (let k = 0; k < size; k++) {
        const p = at<T>(a, k * inner + i);
        s0 = v128.add<T>(s0, v128.load(p));
        s1 = v128.add<T>(s1, v128.load(p, 16));
        s2 = v128.add<T>(s2, v128.load(p, 32));
        s3 = v128.add<T>(s3, v128.load(p, 48));
      }
      const o = at<T>(out, i);
      v128.store(o, s0);
      v128.store(o, s1, 16);
      v128.store(o, s2, 32);
      v128.store(o, s3, 48);
    }
    for (; i + N <= count; i += N) {
      let s = v128.splat<T>(0);
      for (let k = 0; k < size; k++) s = v128.add<T>(s, v128.load(at<T>(a, k * inner + i)));
      v128.store(at<T>(out, i), s);
    }
    for (; i < count; i++) {
      let acc: T = 0;
      for (let k = 0; k < size; k++) acc += load<T>(at<T>(a, k * inner + i));
      store<T>(at<T>(out, i), acc);
    }
  }
}

// ---- max / min / argmax / argmin ----------------------------------------------------------------

/** The reference's loop: index of the first extreme (or first NaN) of `size` elements `step` apart. */
// @ts-ignore: decorator
@inline function extremeScalar<T>(op: Extreme, a: usize, size: i32, step: i32): i32 {
  let best = load<T>(a);
  let bestAt = 0;
  for (let k = 1; k < size && best == best; k++) {
    const v = load<T>(at<T>(a, k * step));
    if (v != v || (op == Extreme.Max ? v > best : v < best)) {
      best = v;
      bestAt = k;
    }
  }
  return bestAt;
}

/** x better than y for the op: strictly larger (max) or smaller (min). */
// @ts-ignore: decorator
@inline function better<T>(op: Extreme, x: v128, y: v128): v128 {
  return op == Extreme.Max ? v128.gt<T>(x, y) : v128.lt<T>(x, y);
}

/** Mask of the lanes where the other candidate is better: a better value, or an equal one found earlier. */
// @ts-ignore: decorator
@inline function mergeLanes<T>(op: Extreme, best: v128, bestIndex: v128, otherBest: v128, otherIndex: v128): v128 {
  const N = 16 / sizeof<T>();
  const earlier = N == 4 ? i32x4.lt_s(otherIndex, bestIndex) : i64x2.lt_s(otherIndex, bestIndex);
  return v128.or(better<T>(op, otherBest, best), v128.and(v128.eq<T>(otherBest, best), earlier));
}

/**
 * Index of the first extreme of a contiguous line. Lane j tracks the first extreme among elements
 * j, j + N, …; the lanes are then merged by value, ties going to the smaller index. A NaN anywhere
 * sends us to the reference loop, which stops at the first one.
 */
// @ts-ignore: decorator
@inline function extremeLine<T>(op: Extreme, a: usize, size: i32): i32 {
  const N = 16 / sizeof<T>();
  if (size < 4 * N) return extremeScalar<T>(op, a, size, 1);
  let best = v128.load(a);
  let nan = v128.ne<T>(best, best);
  // indices in lanes as wide as T's, so masks of T select them
  let index = N == 4 ? i32x4(0, 1, 2, 3) : i64x2(0, 1);
  let bestIndex = index;
  const step = N == 4 ? i32x4.splat(4) : i64x2.splat(2);
  let k = N;
  for (; k + N <= size; k += N) {
    const v = v128.load(at<T>(a, k));
    index = N == 4 ? i32x4.add(index, step) : i64x2.add(index, step);
    const m = better<T>(op, v, best);
    best = v128.bitselect(v, best, m);
    bestIndex = v128.bitselect(index, bestIndex, m);
    if (isFloat<T>()) nan = v128.or(nan, v128.ne<T>(v, v));
  }
  if (isFloat<T>()) if (v128.any_true(nan)) return extremeScalar<T>(op, a, size, 1);
  // merge the lanes in registers (halves, then neighbours): the first extreme is unique in the
  // order (value, then index), so any merge order finds it. (Registers, not memory: parts of one
  // call run on several threads at once.)
  let otherBest = i32x4.shuffle(best, best, 2, 3, 0, 1);
  let otherIndex = i32x4.shuffle(bestIndex, bestIndex, 2, 3, 0, 1);
  let m = mergeLanes<T>(op, best, bestIndex, otherBest, otherIndex);
  best = v128.bitselect(otherBest, best, m);
  bestIndex = v128.bitselect(otherIndex, bestIndex, m);
  if (N == 4) {
    otherBest = i32x4.shuffle(best, best, 1, 0, 3, 2);
    otherIndex = i32x4.shuffle(bestIndex, bestIndex, 1, 0, 3, 2);
    m = mergeLanes<T>(op, best, bestIndex, otherBest, otherIndex);
    best = v128.bitselect(otherBest, best, m);
    bestIndex = v128.bitselect(otherIndex, bestIndex, m);
  }
  let bestValue = v128.extract_lane<T>(best, 0);
  let bestAt = N == 4 ? i32x4.extract_lane(bestIndex, 0) : <i32>i64x2.extract_lane(bestIndex, 0);
  for (; k < size; k++) {
    const v = load<T>(at<T>(a, k));
    if (v != v) return k;
    if (op == Extreme.Max ? v > bestValue : v < bestValue) {
      bestValue = v;
      bestAt = k;
    }
  }
  return bestAt;
}

/**
 * Lanes where v takes over from best in a column walk: strictly better, or a NaN (which then keeps
 * the lane, as in the reference loop).
 */
// @ts-ignore: decorator
@inline function takes<T>(op: Extreme, v: v128, best: v128): v128 {
  const m = better<T>(op, v, best);
  if (isFloat<T>()) return v128.and(v128.or(m, v128.ne<T>(v, v)), v128.eq<T>(best, best));
  return m;
}

/** Writes the results of columns i to i + N: the indices (int32) or the extreme elements. */
// @ts-ignore: decorator
@inline function storeExtremes<T>(indices: bool, out: usize, i: i32, best: v128, bestIndex: v128): void {
  if (!indices) v128.store(at<T>(out, i), best);
  else if (sizeof<T>() == 4) v128.store(at<i32>(out, i), bestIndex);
  else {
    store<i32>(at<i32>(out, i), <i32>i64x2.extract_lane(bestIndex, 0));
    store<i32>(at<i32>(out, i + 1), <i32>i64x2.extract_lane(bestIndex, 1));
  }
}

/**
 * Columns: for i < count, the first extreme over k of a[k · inner + i], written as the index
 * (int32, when `indices`) or as the element itself. As in sumColumns, a pass takes 64 bytes of
 * each row where it can, then one vector, then single columns; each column's walk is the same.
 */
// @ts-ignore: decorator
@inline function extremeColumns<T>(op: Extreme, indices: bool, out: usize, a: usize, size: i32, inner: i32, count: i32): void {
  const N = 16 / sizeof<T>();
  let i = 0;
  for (; i + 4 * N <= count; i += 4 * N) {
    const p0 = at<T>(a, i);
    let b0 = v128.load(p0), b1 = v128.load(p0, 16), b2 = v128.load(p0, 32), b3 = v128.load(p0, 48);
    // all-zero bits: index 0 in lanes of T's width
    let x0 = v128.splat<T>(0), x1 = v128.splat<T>(0), x2 = v128.splat<T>(0), x3 = v128.splat<T>(0);
    for (let k = 1; k < size; k++) {
      const p = at<T>(a, k * inner + i);
      const kv = N == 4 ? i32x4.splat(k) : i64x2.splat(<i64>k);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      const m0 = takes<T>(op, v0, b0), m1 = takes<T>(op, v1, b1), m2 = takes<T>(op, v2, b2), m3 = takes<T>(op, v3, b3);
      b0 = v128.bitselect(v0, b0, m0);
      b1 = v128.bitselect(v1, b1, m1);
      b2 = v128.bitselect(v2, b2, m2);
      b3 = v128.bitselect(v3, b3, m3);
      x0 = v128.bitselect(kv, x0, m0);
      x1 = v128.bitselect(kv, x1, m1);
      x2 = v128.bitselect(kv, x2, m2);
      x3 = v128.bitselect(kv, x3, m3);
    }
    storeExtremes<T>(indices, out, i, b0, x0);
    storeExtremes<T>(indices, out, i + N, b1, x1);
    storeExtremes<T>(indices, out, i + 2 * N, b2, x2);
    storeExtremes<T>(indices, out, i + 3 * N, b3, x3);
  }
  for (; i + N <= count; i += N) {
    let best = v128.load(at<T>(a, i));
    let bestIndex = v128.splat<T>(0);
    for (let k = 1; k < size; k++) {
      const v = v128.load(at<T>(a, k * inner + i));
      const m = takes<T>(op, v, best);
      best = v128.bitselect(v, best, m);
      bestIndex = v128.bitselect(N == 4 ? i32x4.splat(k) : i64x2.splat(<i64>k), bestIndex, m);
    }
    storeExtremes<T>(indices, out, i, best, bestIndex);
  }
  for (; i < count; i++) {
    const k = extremeScalar<T>(op, at<T>(a, i), size, inner);
    if (indices) store<i32>(at<i32>(out, i), k);
    else store<T>(at<T>(out, i), load<T>(at<T>(a, k * inner + i)));
  }
}

// ---- the driver ---------------------------------------------------------------------------------

const enum Reduction { Sum, Max, Min, Argmax, Argmin }

/**
 * Outputs o · inner + [i, end) of reduction r: one line (inner == 1) or the columns i ≤ c < end of
 * line o.
 */
// @ts-ignore: decorator
@inline function outputs<T>(r: Reduction, out: usize, a: usize, o: i32, size: i32, inner: i32, i: i32, end: i32): void {
  const line = at<T>(a, o * size * inner + i);
  const index = o * inner + i;
  const op = r == Reduction.Max || r == Reduction.Argmax ? Extreme.Max : Extreme.Min;
  const indices = r == Reduction.Argmax || r == Reduction.Argmin;
  if (r == Reduction.Sum) {
    if (inner == 1) store<T>(at<T>(out, index), sumLine<T>(line, size));
    else sumColumns<T>(at<T>(out, index), line, size, inner, end - i);
  } else if (inner == 1) {
    const k = extremeLine<T>(op, line, size);
    if (indices) store<i32>(at<i32>(out, index), k);
    else store<T>(at<T>(out, index), load<T>(at<T>(line, k)));
  } else if (indices) {
    extremeColumns<T>(op, true, at<i32>(out, index), line, size, inner, end - i);
  } else {
    extremeColumns<T>(op, false, at<T>(out, index), line, size, inner, end - i);
  }
}

/**
 * Part `part` of `parts` of a reduction. Each line's outputs (inner of them) are a run of units of
 * 64 outputs (the last one shorter), and a part takes units [units·part/parts, units·(part+1)/parts)
 * in order: an output is never split, and a cut inside a line falls on a multiple of 64, so every
 * output meets the same instructions (SIMD columns or scalar tail) as in the one-part call.
 */
// @ts-ignore: decorator
@inline function reduce<T>(r: Reduction, out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void {
  if (outer == 0 || inner == 0) return;
  const perLine = <i64>((inner - 1) >> 6) + 1;
  const first = <i64>outer * perLine * part / parts;
  const end = <i64>outer * perLine * (part + 1) / parts;
  if (first >= end) return;
  const lastLine = <i32>((end - 1) / perLine);
  const stop = <i32>min<i64>(<i64>inner, ((end - 1) % perLine + 1) << 6); // where the last line ends
  let i = <i32>(first % perLine) << 6; // where the first line starts
  for (let o = <i32>(first / perLine); o <= lastLine; o++) {
    outputs<T>(r, out, a, o, size, inner, i, o == lastLine ? stop : inner);
    i = 0;
  }
}

// Each kernel: (out, a, outer, size, inner, part, parts); size ≥ 1 except for sum (an empty sum is
// 0). Part 0 of 1 is the whole call; see `reduce` for the cut.
/** Σ over the middle axis */
export function sum_f32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f32>(Reduction.Sum, out, a, outer, size, inner, part, parts); }
export function sum_f64(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f64>(Reduction.Sum, out, a, outer, size, inner, part, parts); }
export function sum_i32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<i32>(Reduction.Sum, out, a, outer, size, inner, part, parts); }
/** largest value (NaN if any) */
export function max_f32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f32>(Reduction.Max, out, a, outer, size, inner, part, parts); }
export function max_f64(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f64>(Reduction.Max, out, a, outer, size, inner, part, parts); }
export function max_i32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<i32>(Reduction.Max, out, a, outer, size, inner, part, parts); }
/** smallest value (NaN if any) */
export function min_f32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f32>(Reduction.Min, out, a, outer, size, inner, part, parts); }
export function min_f64(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f64>(Reduction.Min, out, a, outer, size, inner, part, parts); }
export function min_i32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<i32>(Reduction.Min, out, a, outer, size, inner, part, parts); }
/** index of the first largest value (int32 out) */
export function argmax_f32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f32>(Reduction.Argmax, out, a, outer, size, inner, part, parts); }
export function argmax_f64(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f64>(Reduction.Argmax, out, a, outer, size, inner, part, parts); }
export function argmax_i32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<i32>(Reduction.Argmax, out, a, outer, size, inner, part, parts); }
/** index of the first smallest value (int32 out) */
export function argmin_f32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f32>(Reduction.Argmin, out, a, outer, size, inner, part, parts); }
export function argmin_f64(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<f64>(Reduction.Argmin, out, a, outer, size, inner, part, parts); }
export function argmin_i32(out: usize, a: usize, outer: i32, size: i32, inner: i32, part: i32, parts: i32): void { reduce<i32>(Reduction.Argmin, out, a, outer, size, inner, part, parts); }
