/**
 * Filling, converting and moving elements: fill, cast, the general strided copy, and the row
 * gather/scatter behind `index`. Copies that only move bits are named by element width (x32 serves
 * float32 and int32, x64 serves float64); the rest are named by dtype.
 */
import { at, toInt32 } from "./lanes";

// ---- fill ---------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function fillWith<T>(out: usize, value: T, n: i32): void {
  const v = v128.splat<T>(value);
  const N = 16 / sizeof<T>();
  let i = 0;
  for (; i + N <= n; i += N) v128.store(at<T>(out, i), v);
  for (; i < n; i++) store<T>(at<T>(out, i), value);
}

/** out[i] = value, for n float32 elements */
export function fill_f32(out: usize, value: f32, n: i32): void {
  fillWith<f32>(out, value, n);
}
/** out[i] = value, for n float64 elements */
export function fill_f64(out: usize, value: f64, n: i32): void {
  fillWith<f64>(out, value, n);
}
/** out[i] = value, for n int32 elements */
export function fill_i32(out: usize, value: i32, n: i32): void {
  fillWith<i32>(out, value, n);
}

// ---- cast ---------------------------------------------------------------------------------------

/** out (float64) = a (float32): exact */
export function cast_f32_to_f64(out: usize, a: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(at<f32>(a, i));
    v128.store(at<f64>(out, i), f64x2.promote_low_f32x4(x));
    v128.store(at<f64>(out, i + 2), f64x2.promote_low_f32x4(i32x4.shuffle(x, x, 2, 3, 0, 1)));
  }
  for (; i < n; i++) store<f64>(at<f64>(out, i), <f64>load<f32>(at<f32>(a, i)));
}

/** out (float32) = a (float64), rounded to nearest even */
export function cast_f64_to_f32(out: usize, a: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const lo = f32x4.demote_f64x2_zero(v128.load(at<f64>(a, i)));
    const hi = f32x4.demote_f64x2_zero(v128.load(at<f64>(a, i + 2)));
    v128.store(at<f32>(out, i), i32x4.shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; i < n; i++) store<f32>(at<f32>(out, i), <f32>load<f64>(at<f64>(a, i)));
}

/** out (int32) = a (float32) truncated toward zero, wrapped modulo 2^32, NaN and ±Inf to 0 */
export function cast_f32_to_i32(out: usize, a: usize, n: i32): void {
  const limit = f32x4.splat(2147483648.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(at<f32>(a, i));
    if (v128.any_true(f32x4.ge(f32x4.abs(x), limit))) {
      // a lane out of int32 range: the exact wrap-around is the scalar path's business
      for (let j = i; j < i + 4; j++) store<i32>(at<i32>(out, j), toInt32(<f64>load<f32>(at<f32>(a, j))));
    } else {
      v128.store(at<i32>(out, i), i32x4.trunc_sat_f32x4_s(x)); // NaN lanes become 0
    }
  }
  for (; i < n; i++) store<i32>(at<i32>(out, i), toInt32(<f64>load<f32>(at<f32>(a, i))));
}

/** out (int32) = a (float64) truncated toward zero, wrapped modulo 2^32, NaN and ±Inf to 0 */
export function cast_f64_to_i32(out: usize, a: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<i32>(at<i32>(out, i), toInt32(load<f64>(at<f64>(a, i))));
}

/** out (float32) = a (int32), rounded to nearest even */
export function cast_i32_to_f32(out: usize, a: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at<f32>(out, i), f32x4.convert_i32x4_s(v128.load(at<i32>(a, i))));
  for (; i < n; i++) store<f32>(at<f32>(out, i), <f32>load<i32>(at<i32>(a, i)));
}

/** out (float64) = a (int32): exact */
export function cast_i32_to_f64(out: usize, a: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(at<i32>(a, i));
    v128.store(at<f64>(out, i), f64x2.convert_low_i32x4_s(x));
    v128.store(at<f64>(out, i + 2), f64x2.convert_low_i32x4_s(i32x4.shuffle(x, x, 2, 3, 0, 1)));
  }
  for (; i < n; i++) store<f64>(at<f64>(out, i), <f64>load<i32>(at<i32>(a, i)));
}

/** out = a, bit for bit (a cast to the same dtype): `bytes` bytes, by the engine's memmove */
export function copy_bytes(out: usize, a: usize, bytes: usize): void {
  memory.copy(out, a, bytes);
}

/**
 * out = a, `bytes` bytes (a multiple of 4), as a plain v128 load/store loop: the bandwidth yardstick
 * the benchmarks measure the streaming kernels (optimizer updates) against.
 */
export function copy_v128(out: usize, a: usize, bytes: usize): void {
  let i: usize = 0;
  for (; i + 64 <= bytes; i += 64) {
    const x0 = v128.load(a + i);
    const x1 = v128.load(a + i, 16);
    const x2 = v128.load(a + i, 32);
    const x3 = v128.load(a + i, 48);
    v128.store(out + i, x0);
    v128.store(out + i, x1, 16);
    v128.store(out + i, x2, 32);
    v128.store(out + i, x3, 48);
  }
  for (; i < bytes; i += 4) store<u32>(out + i, load<u32>(a + i));
}

// ---- strided copy -------------------------------------------------------------------------------

/**
 * out[outOffset + Σ idx_d · outStrides_d] = a[aOffset + Σ idx_d · aStrides_d] over the index space
 * `shape`. `geometry` holds four i32 arrays of `ndim` entries: shape, outStrides, aStrides and a
 * zeroed counter array the kernel uses as its odometer. The caller drops size-1 dimensions and
 * merges dimensions that are contiguous in both operands, so the last dimension is the longest run.
 */
// @ts-ignore: decorator
@inline function copyStrided<T>(out: usize, outOffset: i32, a: usize, aOffset: i32, geometry: usize, ndim: i32): void {
  if (ndim == 0) {
    store<T>(at<T>(out, outOffset), load<T>(at<T>(a, aOffset)));
    return;
  }
  const shape = geometry;
  const outStrides = geometry + (<usize>ndim << 2);
  const aStrides = geometry + (<usize>ndim << 3);
  const counter = geometry + <usize>ndim * 12;
  const last = ndim - 1;
  const inner = load<i32>(at<i32>(shape, last));
  const so = load<i32>(at<i32>(outStrides, last));
  const sa = load<i32>(at<i32>(aStrides, last));
  let rows = 1;
  for (let d = 0; d < last; d++) rows *= load<i32>(at<i32>(shape, d));
  if (rows == 0 || inner == 0) return;
  let io = outOffset;
  let ia = aOffset;
  for (let r = 0; r < rows; r++) {
    if (so == 1 && sa == 1 && inner >= 16) {
      memory.copy(at<T>(out, io), at<T>(a, ia), <usize>inner << alignof<T>());
    } else {
      for (let j = 0; j < inner; j++) store<T>(at<T>(out, io + j * so), load<T>(at<T>(a, ia + j * sa)));
    }
    // advance the odometer over the outer dimensions, last one fastest
    for (let d = last - 1; d >= 0; d--) {
      const cd = at<i32>(counter, d);
      const size = load<i32>(at<i32>(shape, d));
      const c = load<i32>(cd) + 1;
      const sod = load<i32>(at<i32>(outStrides, d));
      const sad = load<i32>(at<i32>(aStrides, d));
      if (c < size) {
        store<i32>(cd, c);
        io += sod;
        ia += sad;
        break;
      }
      store<i32>(cd, 0);
      io -= sod * (size - 1);
      ia -= sad * (size - 1);
    }
  }
}

/** General strided copy of 32-bit elements (float32, int32); see copyStrided */
export function copy_strided_x32(out: usize, outOffset: i32, a: usize, aOffset: i32, geometry: usize, ndim: i32): void {
  copyStrided<u32>(out, outOffset, a, aOffset, geometry, ndim);
}
/** General strided copy of 64-bit elements (float64); see copyStrided */
export function copy_strided_x64(out: usize, outOffset: i32, a: usize, aOffset: i32, geometry: usize, ndim: i32): void {
  copyStrided<u64>(out, outOffset, a, aOffset, geometry, ndim);
}

// ---- gather / scatter rows ----------------------------------------------------------------------

// @ts-ignore: decorator
@inline function gatherRows<T>(out: usize, src: usize, idx: usize, rows: i32, rowSize: i32): void {
  const rowBytes = <usize>rowSize << alignof<T>();
  for (let r = 0; r < rows; r++) {
    const o = out + <usize>r * rowBytes;
    const s = src + <usize>load<i32>(at<i32>(idx, r)) * rowBytes;
    if (rowSize >= 16) memory.copy(o, s, rowBytes);
    else for (let j = 0; j < rowSize; j++) store<T>(at<T>(o, j), load<T>(at<T>(s, j)));
  }
}

/** out[r · rowSize + j] = src[idx[r] · rowSize + j], 32-bit elements */
export function gather_rows_x32(out: usize, src: usize, idx: usize, rows: i32, rowSize: i32): void {
  gatherRows<u32>(out, src, idx, rows, rowSize);
}
/** out[r · rowSize + j] = src[idx[r] · rowSize + j], 64-bit elements */
export function gather_rows_x64(out: usize, src: usize, idx: usize, rows: i32, rowSize: i32): void {
  gatherRows<u64>(out, src, idx, rows, rowSize);
}

// @ts-ignore: decorator
@inline function scatterAddRows<T>(out: usize, src: usize, idx: usize, rows: i32, rowSize: i32): void {
  const N = 16 / sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const o = at<T>(out, load<i32>(at<i32>(idx, r)) * rowSize);
    const s = at<T>(src, r * rowSize);
    let j = 0;
    for (; j + N <= rowSize; j += N) {
      v128.store(at<T>(o, j), v128.add<T>(v128.load(at<T>(o, j)), v128.load(at<T>(s, j))));
    }
    for (; j < rowSize; j++) store<T>(at<T>(o, j), load<T>(at<T>(o, j)) + load<T>(at<T>(s, j)));
  }
}

/** out[idx[r] · rowSize + j] += src[r · rowSize + j] (float32) */
export function scatter_add_rows_f32(out: usize, src: usize, idx: usize, rows: i32, rowSize: i32): void {
  scatterAddRows<f32>(out, src, idx, rows, rowSize);
}
/** out[idx[r] · rowSize + j] += src[r · rowSize + j] (float64) */
export function scatter_add_rows_f64(out: usize, src: usize, idx: usize, rows: i32, rowSize: i32): void {
  scatterAddRows<f64>(out, src, idx, rows, rowSize);
}
/** out[idx[r] · rowSize + j] += src[r · rowSize + j] (int32, wrapping) */
export function scatter_add_rows_i32(out: usize, src: usize, idx: usize, rows: i32, rowSize: i32): void {
  scatterAddRows<i32>(out, src, idx, rows, rowSize);
}

/**
 * Checks n int32 indices against a dimension of `size` ([0, size), or [-size, size) if `negative`):
 * returns the position of the first one outside, or -1 after writing them all to `out` with
 * negatives wrapped (v + size). Nothing is written when one is outside.
 */
export function wrap_indices_i32(out: usize, idx: usize, n: i32, size: i32, negative: bool): i32 {
  const lo = negative ? -size : 0;
  for (let r = 0; r < n; r++) {
    const v = load<i32>(at<i32>(idx, r));
    if (v < lo || v >= size) return r;
  }
  for (let r = 0; r < n; r++) {
    const v = load<i32>(at<i32>(idx, r));
    store<i32>(at<i32>(out, r), v < 0 ? v + size : v);
  }
  return -1;
}
