/**
 * Element-wise functions of two operands with broadcasting:
 * out[idx] = op(a[Σ idx_d · aStrides_d], b[Σ idx_d · bStrides_d]), `out` dense and possibly `a`.
 *
 * The TypeScript side collapses the index space first (drops size-1 dimensions, merges dimensions
 * that are contiguous in both operands), so the common cases arrive as one dense row (same shapes),
 * a row against a repeated scalar (x + 1), or rows against a broadcast row (bias). The last
 * dimension is one `row` call with strides 1 or 0 picking a SIMD loop; the outer dimensions are an
 * odometer. Comparisons write 1 or 0 in the operands' dtype.
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
 * The broadcast walk. `geometry` holds four i32 arrays of `ndim` (≥ 1) entries: shape, aStrides,
 * bStrides and a zeroed counter for the odometer.
 */
// @ts-ignore: decorator
@inline function binary<T>(op: BinaryOp, out: usize, a: usize, b: usize, geometry: usize, ndim: i32): void {
  const shape = geometry;
  const aStrides = geometry + (<usize>ndim << 2);
  const bStrides = geometry + (<usize>ndim << 3);
  const counter = geometry + <usize>ndim * 12;
  const last = ndim - 1;
  const inner = load<i32>(at<i32>(shape, last));
  const sa = load<i32>(at<i32>(aStrides, last));
  const sb = load<i32>(at<i32>(bStrides, last));
  let rows = 1;
  for (let d = 0; d < last; d++) rows *= load<i32>(at<i32>(shape, d));
  if (rows == 0 || inner == 0) return;
  let ia = 0;
  let ib = 0;
  for (let r = 0; r < rows; r++) {
    row<T>(op, at<T>(out, r * inner), at<T>(a, ia), sa, at<T>(b, ib), sb, inner);
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

// Each kernel: (out, a, b, geometry, ndim); see `binary` for the geometry block.
/** a + b */
export function add_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Add, out, a, b, g, ndim); }
export function add_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Add, out, a, b, g, ndim); }
export function add_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Add, out, a, b, g, ndim); }
/** a - b */
export function sub_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Sub, out, a, b, g, ndim); }
export function sub_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Sub, out, a, b, g, ndim); }
export function sub_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Sub, out, a, b, g, ndim); }
/** a · b (int32 wraps) */
export function mul_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Mul, out, a, b, g, ndim); }
export function mul_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Mul, out, a, b, g, ndim); }
export function mul_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Mul, out, a, b, g, ndim); }
/** a / b (int32 truncates toward zero; division by zero gives 0 as the reference's store does) */
export function div_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Div, out, a, b, g, ndim); }
export function div_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Div, out, a, b, g, ndim); }
export function div_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Div, out, a, b, g, ndim); }
/** a ^ b with JavaScript's Math.pow special cases */
export function pow_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Pow, out, a, b, g, ndim); }
export function pow_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Pow, out, a, b, g, ndim); }
export function pow_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Pow, out, a, b, g, ndim); }
/** max(a, b), NaN if either is NaN */
export function maximum_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Maximum, out, a, b, g, ndim); }
export function maximum_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Maximum, out, a, b, g, ndim); }
export function maximum_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Maximum, out, a, b, g, ndim); }
/** min(a, b), NaN if either is NaN */
export function minimum_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Minimum, out, a, b, g, ndim); }
export function minimum_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Minimum, out, a, b, g, ndim); }
export function minimum_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Minimum, out, a, b, g, ndim); }
/** a == b ? 1 : 0 */
export function eq_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Eq, out, a, b, g, ndim); }
export function eq_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Eq, out, a, b, g, ndim); }
export function eq_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Eq, out, a, b, g, ndim); }
/** a != b ? 1 : 0 */
export function ne_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Ne, out, a, b, g, ndim); }
export function ne_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Ne, out, a, b, g, ndim); }
export function ne_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Ne, out, a, b, g, ndim); }
/** a < b ? 1 : 0 */
export function lt_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Lt, out, a, b, g, ndim); }
export function lt_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Lt, out, a, b, g, ndim); }
export function lt_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Lt, out, a, b, g, ndim); }
/** a <= b ? 1 : 0 */
export function le_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Le, out, a, b, g, ndim); }
export function le_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Le, out, a, b, g, ndim); }
export function le_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Le, out, a, b, g, ndim); }
/** a > b ? 1 : 0 */
export function gt_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Gt, out, a, b, g, ndim); }
export function gt_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Gt, out, a, b, g, ndim); }
export function gt_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Gt, out, a, b, g, ndim); }
/** a >= b ? 1 : 0 */
export function ge_f32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f32>(BinaryOp.Ge, out, a, b, g, ndim); }
export function ge_f64(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<f64>(BinaryOp.Ge, out, a, b, g, ndim); }
export function ge_i32(out: usize, a: usize, b: usize, g: usize, ndim: i32): void { binary<i32>(BinaryOp.Ge, out, a, b, g, ndim); }
