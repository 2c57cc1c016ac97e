/**
 * Element-wise functions of two operands with broadcasting:
 * out[idx] = op(a[Σ idx_d · aStrides_d], b[Σ idx_d · bStrides_d]), `out` dense and possibly `a`.
 *
 * The TypeScript side collapses the index space first (drops size-1 dimensions, merges dimensions
 * that are contiguous in both operands), so the common cases arrive as one dense row (same shapes),
 * a row against a repeated scalar (x + 1), or rows against a broadcast row (bias). The last
 * dimension is one `row` call with strides 1 or 0 picking a SIMD loop; the outer dimensions are an
 * odometer. Comparisons write 1 or 0 in the operands' dtype.
 *
 * The thread pool (src/backend/wasm/pool.ts) runs a large call as parts: runs of 64-element units
 * of the rows, each computed exactly as in the whole call (see `binary`).
 */
import { at, divTrunc, powJS, toInt32 } from "./lanes";

export const enum BinaryOp { Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge }

/** Whether op has a lane-wise form for T (pow and integer division do not). */
// @ts-ignore: decorator
@inline function vectorizable<T>(op: BinaryOp): bool {
  if (op == BinaryOp.Pow) return false;
  if (op == BinaryOp.Div) return isFloat<T>();
  return true;
}

/** 1 where the mask is set, 0 elsewhere, in T. */
// @ts-ignore: decorator
@inline function ones<T>(mask: v128): v128 {
  return v128.and(mask, v128.splat<T>(1));
}

// @ts-ignore: decorator
@inline function vector<T>(op: BinaryOp, a: v128, b: v128): v128 {
  if (op == BinaryOp.Add) return v128.add<T>(a, b);
  if (op == BinaryOp.Sub) return v128.sub<T>(a, b);
  if (op == BinaryOp.Mul) return v128.mul<T>(a, b);
  if (op == BinaryOp.Eq) return ones<T>(v128.eq<T>(a, b));
  if (op == BinaryOp.Ne) return ones<T>(v128.ne<T>(a, b));
  if (op == BinaryOp.Lt) return ones<T>(v128.lt<T>(a, b));
  if (op == BinaryOp.Le) return ones<T>(v128.le<T>(a, b));
  if (op == BinaryOp.Gt) return ones<T>(v128.gt<T>(a, b));
  if (op == BinaryOp.Ge) return ones<T>(v128.ge<T>(a, b));
  if (isInteger<T>()) {
    if (op == BinaryOp.Maximum) return v128.max<T>(a, b);
    return v128.min<T>(a, b);
  } else {
    if (op == BinaryOp.Div) return v128.div<T>(a, b);
    // pmax(a, b) = a < b ? b : a and pmin(a, b) = b < a ? b : a are the reference's tie rules
    // (ties keep a, so max(-0, +0) is -0); a NaN in a survives them, a NaN in b is put back
    const r = op == BinaryOp.Maximum ? v128.pmax<T>(a, b) : v128.pmin<T>(a, b);
    return v128.bitselect(b, r, v128.ne<T>(b, b));
  }
}

// @ts-ignore: decorator
@inline function scalar<T>(op: BinaryOp, a: T, b: T): T {
  if (op == BinaryOp.Add) return a + b;
  if (op == BinaryOp.Sub) return a - b;
  if (op == BinaryOp.Mul) return a * b;
  if (op == BinaryOp.Div) {
    if (isInteger<T>()) return <T>divTrunc(<i32>a, <i32>b);
    return a / b;
  }
  if (op == BinaryOp.Pow) {
    const y = powJS(<f64>a, <f64>b);
    if (isInteger<T>()) return <T>toInt32(y);
    return <T>y;
  }
  if (op == BinaryOp.Maximum) {
    if (isFloat<T>()) if (a != a || b != b) return a != a ? a : b;
    return a < b ? b : a;
  }
  if (op == BinaryOp.Minimum) {
    if (isFloat<T>()) if (a != a || b != b) return a != a ? a : b;
    return b < a ? b : a;
  }
  if (op == BinaryOp.Eq) return <T>(a == b);
  if (op == BinaryOp.Ne) return <T>(a != b);
  if (op == BinaryOp.Lt) return <T>(a < b);
  if (op == BinaryOp.Le) return <T>(a <= b);
  if (op == BinaryOp.Gt) return <T>(a > b);
  return <T>(a >= b);
}

/** out[j] = op(a[j · sa], b[j · sb]) for j < n. */
// @ts-ignore: decorator
@inline function row<T>(op: BinaryOp, out: usize, a: usize, sa: i32, b: usize, sb: i32, n: i32): void {
  const N = 16 / sizeof<T>();
  let j = 0;
  if (vectorizable<T>(op)) {
    if (sa == 1 && sb == 1) {
      for (; j + N <= n; j += N) v128.store(at<T>(out, j), vector<T>(op, v128.load(at<T>(a, j)), v128.load(at<T>(b, j))));
    } else if (sa == 1 && sb == 0) {
      const vb = v128.splat<T>(load<T>(b));
      for (; j + N <= n; j += N) v128.store(at<T>(out, j), vector<T>(op, v128.load(at<T>(a, j)), vb));
    } else if (sa == 0 && sb == 1) {
      const va = v128.splat<T>(load<T>(a));
      for (; j + N <= n; j += N) v128.store(at<T>(out, j), vector<T>(op, va, v128.load(at<T>(b, j))));
    }
  }
  for (; j < n; j++) store<T>(at<T>(out, j), scalar<T>(op, load<T>(at<T>(a, j * sa)), load<T>(at<T>(b, j * sb))));
}

/**
 * The broadcast walk over part `part` of `parts` of the output. `geometry` holds three i32 blocks
 * of `ndim` (≥ 1) entries, shape, aStrides and bStrides, then from the next 64-byte boundary one
 * odometer counter block per part, each on cache lines of its own (⌈ndim / 16⌉ lines; never
 * touched when ndim == 1): parts running at once on different threads write nothing another one
 * reads or writes but `out`, not even a cache line (a shared one cost the 2-thread speedup of a
 * bias add).
 *
 * The cut: each row (the last dimension) is a run of units of 64 elements (the last one shorter),
 * and a part takes units [units·part/parts, units·(part+1)/parts) in row order. A cut inside a row
 * falls on a multiple of 64, so every element meets the same instructions (SIMD group or scalar
 * tail) as in the one-part call: results are bit-identical for every `parts`.
 */
// @ts-ignore: decorator
@inline function binary<T>(op: BinaryOp, out: usize, a: usize, b: usize, geometry: usize, ndim: i32, part: i32, parts: i32): void {
  const shape = geometry;
  const aStrides = geometry + (<usize>ndim << 2);
  const bStrides = geometry + (<usize>ndim << 3);
  const counterLines = (geometry + <usize>ndim * 12 + 63) & ~63;
  const counter = counterLines + <usize>part * ((<usize>(ndim + 15) >> 4) << 6);
  const last = ndim - 1;
  const inner = load<i32>(at<i32>(shape, last));
  const sa = load<i32>(at<i32>(aStrides, last));
  const sb = load<i32>(at<i32>(bStrides, last));
  let rows = 1;
  for (let d = 0; d < last; d++) rows *= load<i32>(at<i32>(shape, d));
  if (rows == 0 || inner == 0) return;
  const perRow = <i64>((inner - 1) >> 6) + 1;
  const first = <i64>rows * perRow * part / parts;
  const end = <i64>rows * perRow * (part + 1) / parts;
  if (first >= end) return;
  let r = <i32>(first / perRow);
  let j = <i32>(first % perRow) << 6; // where the first row starts
  const lastRow = <i32>((end - 1) / perRow);
  const stop = <i32>min<i64>(<i64>inner, ((end - 1) % perRow + 1) << 6); // where the last row ends
  // the odometer at row r: r in mixed radix over the outer dimensions
  let ia = 0;
  let ib = 0;
  let q = r;
  for (let d = last - 1; d >= 0; d--) {
    const size = load<i32>(at<i32>(shape, d));
    const c = q % size;
    q /= size;
    store<i32>(at<i32>(counter, d), c);
    ia += c * load<i32>(at<i32>(aStrides, d));
    ib += c * load<i32>(at<i32>(bStrides, d));
  }
  for (; r <= lastRow; r++) {
    const n = (r == lastRow ? stop : inner) - j;
    row<T>(op, at<T>(out, r * inner + j), at<T>(a, ia + j * sa), sa, at<T>(b, ib + j * sb), sb, n);
    j = 0;
    for (let d = last - 1; d >= 0; d--) {
      const cd = at<i32>(counter, d);
      const size = load<i32>(at<i32>(shape, d));
      const c = load<i32>(cd) + 1;
      const sad = load<i32>(at<i32>(aStrides, d));
      const sbd = load<i32>(at<i32>(bStrides, d));
      if (c < size) {
        store<i32>(cd, c);
        ia += sad;
        ib += sbd;
        break;
      }
      store<i32>(cd, 0);
      ia -= sad * (size - 1);
      ib -= sbd * (size - 1);
    }
  }
}

// Each kernel: (out, a, b, geometry, ndim, part, parts); see `binary` for the geometry block and
// the cut (part 0 of 1 is the whole call).
/** a + b */
export function add_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Add, out, a, b, g, ndim, part, parts); }
export function add_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Add, out, a, b, g, ndim, part, parts); }
export function add_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Add, out, a, b, g, ndim, part, parts); }
/** a - b */
export function sub_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Sub, out, a, b, g, ndim, part, parts); }
export function sub_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Sub, out, a, b, g, ndim, part, parts); }
export function sub_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Sub, out, a, b, g, ndim, part, parts); }
/** a · b (int32 wraps) */
export function mul_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Mul, out, a, b, g, ndim, part, parts); }
export function mul_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Mul, out, a, b, g, ndim, part, parts); }
export function mul_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Mul, out, a, b, g, ndim, part, parts); }
/** a / b (int32 truncates toward zero; division by zero gives 0 as the reference's store does) */
export function div_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Div, out, a, b, g, ndim, part, parts); }
export function div_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Div, out, a, b, g, ndim, part, parts); }
export function div_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Div, out, a, b, g, ndim, part, parts); }
/** a ^ b with JavaScript's Math.pow special cases */
export function pow_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Pow, out, a, b, g, ndim, part, parts); }
export function pow_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Pow, out, a, b, g, ndim, part, parts); }
export function pow_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Pow, out, a, b, g, ndim, part, parts); }
/** max(a, b), NaN if either is NaN */
export function maximum_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Maximum, out, a, b, g, ndim, part, parts); }
export function maximum_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Maximum, out, a, b, g, ndim, part, parts); }
export function maximum_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Maximum, out, a, b, g, ndim, part, parts); }
/** min(a, b), NaN if either is NaN */
export function minimum_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Minimum, out, a, b, g, ndim, part, parts); }
export function minimum_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Minimum, out, a, b, g, ndim, part, parts); }
export function minimum_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Minimum, out, a, b, g, ndim, part, parts); }
/** a == b ? 1 : 0 */
export function eq_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Eq, out, a, b, g, ndim, part, parts); }
export function eq_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Eq, out, a, b, g, ndim, part, parts); }
export function eq_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Eq, out, a, b, g, ndim, part, parts); }
/** a != b ? 1 : 0 */
export function ne_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Ne, out, a, b, g, ndim, part, parts); }
export function ne_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Ne, out, a, b, g, ndim, part, parts); }
export function ne_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Ne, out, a, b, g, ndim, part, parts); }
/** a < b ? 1 : 0 */
export function lt_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Lt, out, a, b, g, ndim, part, parts); }
export function lt_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Lt, out, a, b, g, ndim, part, parts); }
export function lt_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Lt, out, a, b, g, ndim, part, parts); }
/** a <= b ? 1 : 0 */
export function le_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Le, out, a, b, g, ndim, part, parts); }
export function le_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Le, out, a, b, g, ndim, part, parts); }
export function le_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Le, out, a, b, g, ndim, part, parts); }
/** a > b ? 1 : 0 */
export function gt_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Gt, out, a, b, g, ndim, part, parts); }
export function gt_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Gt, out, a, b, g, ndim, part, parts); }
export function gt_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Gt, out, a, b, g, ndim, part, parts); }
/** a >= b ? 1 : 0 */
export function ge_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f32>(BinaryOp.Ge, out, a, b, g, ndim, part, parts); }
export function ge_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<f64>(BinaryOp.Ge, out, a, b, g, ndim, part, parts); }
export function ge_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32, part: i32, parts: i32): void { binary<i32>(BinaryOp.Ge, out, a, b, g, ndim, part, parts); }
