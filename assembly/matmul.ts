/**
 * Batched matrix product out[q] = op(A[q]) · op(B[q]), out[q] dense m×n, op = transpose when the
 * flag is set (element (i, p) of op(A) is a[i·k + p], or a[p·m + i] when transposed; element (p, j)
 * of op(B) is b[p·n + j], or b[j·k + p]).
 *
 * float32 is the hot path: the classic packed GEMM (Goto & van de Geijn). Blocks of op(B) are
 * copied into panels 8 columns wide and blocks of op(A) into panels 4 rows tall, so that the
 * micro-kernel reads both contiguously; it keeps a 4×8 tile of C in eight f32x4 registers and per k
 * adds a rank-1 update (two B vectors, four broadcast A values, 8 mul + 8 add). A last row panel
 * of 1 or 2 rows (CNN2's 5 output channels leave one) runs 1×32 or 2×16 kernels over several B
 * panels at once rather than three or two rows of padding; other edge tiles are padded with zeros.
 *
 * Small-model shapes take two shortcuts (chosen from the shapes alone, so every thread count takes
 * the same one): with at most 8 rows of C, B is read in place rather than packed (readsBInPlace);
 * A · Bᵀ with at most 8 rows or columns of C is m·n dot products of contiguous rows
 * (usesDotProducts). Together they made CNN2's conv layers 3–5× faster.
 *
 * Accumulation is float32 in a blocked order, so results differ from the reference (which rounds
 * every partial sum in order) by at most (k + 1)·eps·Σ|a_ip·b_pj|.
 *
 * float64 and int32 use plain loops that add the k products of every output in order, which makes
 * float64 bit-identical to the reference.
 */
import { at } from "./lanes";

/**
 * c + a·b on four lanes: a multiply then an add (two roundings) in the exact build; in the opt-in
 * relaxed-SIMD build (asconfig.json's "relaxed" target) `f32x4.relaxed_madd`, which the engine may
 * fuse into one FMA (one rounding) where the CPU has it. Only the GEMM micro-kernels use it, so only
 * float32 matmul (and conv, built on it) round differently there: within the same error bound.
 */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Micro-tile rows and columns. */
const MR: i32 = 4;
const NR: i32 = 8;
/** Block sizes: KC×NC of B (a panel block in L2), MC×KC of A. */
const KC: i32 = 256;
const MC: i32 = 64;
const NC: i32 = 512;

/** Bytes of workspace matmul_f32 needs: packed A and B blocks and one spare tile. */
export function matmul_workspace_bytes(): i32 {
  return (MC * KC + KC * NC + MR * NR) * 4;
}

/**
 * C[0..4][0..8] (row stride ldc bytes) = (accumulate ? C : 0) + Σ_p A[p][0..4] ⊗ B[p][0..8]
 * over kc steps of a packed A panel (4 floats per step) and 8 floats of B per step, `pbStep` bytes
 * apart: 32 in a packed panel, a row of B where B is read in place.
 */
function microKernel4x8(kc: i32, pa: usize, pb: usize, pbStep: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += pbStep;
  }
  if (accumulate) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c + ldc), c10);
    c11 = f32x4.add(v128.load(c + ldc, 16), c11);
    c20 = f32x4.add(v128.load(c + 2 * ldc), c20);
    c21 = f32x4.add(v128.load(c + 2 * ldc, 16), c21);
    c30 = f32x4.add(v128.load(c + 3 * ldc), c30);
    c31 = f32x4.add(v128.load(c + 3 * ldc, 16), c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c + ldc, c10);
  v128.store(c + ldc, c11, 16);
  v128.store(c + 2 * ldc, c20);
  v128.store(c + 2 * ldc, c21, 16);
  v128.store(c + 3 * ldc, c30);
  v128.store(c + 3 * ldc, c31, 16);
}

/**
 * The last row panel when it has 1 valid row: C[0][0..32] over four consecutive B panels (panelBytes
 * apart), eight independent accumulators, so it runs at the 4×8 kernel's rate per flop instead of
 * computing three rows of padding.
 */
function microKernel1x32(kc: i32, pa: usize, pb: usize, pbStep: usize, panelBytes: usize, c: usize, accumulate: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  let c4 = f32x4.splat(0), c5 = f32x4.splat(0), c6 = f32x4.splat(0), c7 = f32x4.splat(0);
  const pb1 = pb + panelBytes;
  const pb2 = pb1 + panelBytes;
  const pb3 = pb2 + panelBytes;
  for (let p: usize = 0; p < <usize>kc; p++) {
    const a = v128.load32_splat(pa + (p << 4));
    const q = p * pbStep;
    c0 = madd(a, v128.load(pb + q), c0);
    c1 = madd(a, v128.load(pb + q, 16), c1);
    c2 = madd(a, v128.load(pb1 + q), c2);
    c3 = madd(a, v128.load(pb1 + q, 16), c3);
    c4 = madd(a, v128.load(pb2 + q), c4);
    c5 = madd(a, v128.load(pb2 + q, 16), c5);
    c6 = madd(a, v128.load(pb3 + q), c6);
    c7 = madd(a, v128.load(pb3 + q, 16), c7);
  }
  if (accumulate) {
    c0 = f32x4.add(v128.load(c), c0);
    c1 = f32x4.add(v128.load(c, 16), c1);
    c2 = f32x4.add(v128.load(c, 32), c2);
    c3 = f32x4.add(v128.load(c, 48), c3);
    c4 = f32x4.add(v128.load(c, 64), c4);
    c5 = f32x4.add(v128.load(c, 80), c5);
    c6 = f32x4.add(v128.load(c, 96), c6);
    c7 = f32x4.add(v128.load(c, 112), c7);
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
  v128.store(c, c2, 32);
  v128.store(c, c3, 48);
  v128.store(c, c4, 64);
  v128.store(c, c5, 80);
  v128.store(c, c6, 96);
  v128.store(c, c7, 112);
}

/** The last row panel when it has 2 valid rows: C[0..2][0..16] over two consecutive B panels. */
function microKernel2x16(kc: i32, pa: usize, pb: usize, pbStep: usize, panelBytes: usize, c: usize, ldc: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0), c03 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0), c13 = f32x4.splat(0);
  const pb1 = pb + panelBytes;
  for (let p: usize = 0; p < <usize>kc; p++) {
    const q = p * pbStep;
    const b0 = v128.load(pb + q);
    const b1 = v128.load(pb + q, 16);
    const b2 = v128.load(pb1 + q);
    const b3 = v128.load(pb1 + q, 16);
    const a0 = v128.load32_splat(pa + (p << 4));
    const a1 = v128.load32_splat(pa + (p << 4), 4);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c02 = madd(a0, b2, c02);
    c03 = madd(a0, b3, c03);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c12 = madd(a1, b2, c12);
    c13 = madd(a1, b3, c13);
  }
  const d = c + ldc;
  if (accumulate) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c02 = f32x4.add(v128.load(c, 32), c02);
    c03 = f32x4.add(v128.load(c, 48), c03);
    c10 = f32x4.add(v128.load(d), c10);
    c11 = f32x4.add(v128.load(d, 16), c11);
    c12 = f32x4.add(v128.load(d, 32), c12);
    c13 = f32x4.add(v128.load(d, 48), c13);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  v128.store(c, c02, 32);
  v128.store(c, c03, 48);
  v128.store(d, c10);
  v128.store(d, c11, 16);
  v128.store(d, c12, 32);
  v128.store(d, c13, 48);
}

/**
 * Reads 4 rows of 4 floats (rows `stride` bytes apart from `src`) and stores the transposed block:
 * 4 rows of 4 floats `dstStride` bytes apart, row q holding element q of each source row.
 */
// @ts-ignore: decorator
@inline function transpose4x4Store(src: usize, stride: usize, dst: usize, dstStride: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + stride);
  const r2 = v128.load(src + 2 * stride);
  const r3 = v128.load(src + 3 * stride);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5); // r0[0] r1[0] r0[1] r1[1]
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + dstStride, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/**
 * Packs op(B)[pc..pc+kc][jc..jc+nc] into panels of NR columns: panel t holds, for each p, the NR
 * values op(B)[pc+p][jc+t·NR ..], zero beyond column n.
 */
function packB(dst: usize, b: usize, pc: i32, kc: i32, jc: i32, nc: i32, transB: bool, k: i32, n: i32): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const panel = dst + <usize>(jr * kc) * 4;
    const cols = min(NR, nc - jr);
    const j0 = jc + jr;
    if (!transB && cols == NR) {
      for (let p = 0; p < kc; p++) {
        const src = at<f32>(b, (pc + p) * n + j0);
        v128.store(panel + <usize>p * 32, v128.load(src));
        v128.store(panel + <usize>p * 32, v128.load(src, 16), 16);
      }
    } else if (!transB) {
      for (let p = 0; p < kc; p++) {
        const src = at<f32>(b, (pc + p) * n + j0);
        for (let t = 0; t < NR; t++) store<f32>(panel + <usize>(p * NR + t) * 4, t < cols ? load<f32>(at<f32>(src, t)) : 0);
      }
    } else if (cols == NR) {
      // op(B)[p][j] = b[j·k + p]: 4×4 blocks of the stored rows, transposed in registers
      const src = at<f32>(b, j0 * k + pc);
      const stride = <usize>k * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) {
        for (let half = 0; half < 2; half++) {
          const r = src + <usize>(half * 4) * stride + <usize>p * 4;
          transpose4x4Store(r, stride, panel + <usize>(p * NR + half * 4) * 4, NR * 4);
        }
      }
      for (; p < kc; p++) {
        for (let t = 0; t < NR; t++) store<f32>(panel + <usize>(p * NR + t) * 4, load<f32>(at<f32>(src, t * k + p)));
      }
    } else {
      for (let t = 0; t < NR; t++) {
        if (t < cols) {
          const src = at<f32>(b, (j0 + t) * k + pc);
          for (let p = 0; p < kc; p++) store<f32>(panel + <usize>(p * NR + t) * 4, load<f32>(at<f32>(src, p)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(panel + <usize>(p * NR + t) * 4, 0);
        }
      }
    }
  }
}

/**
 * Packs op(A)[ic..ic+mc][pc..pc+kc] into panels of MR rows: panel s holds, for each p, the MR
 * values op(A)[ic+s·MR ..][pc+p], zero beyond row m.
 */
function packA(dst: usize, a: usize, ic: i32, mc: i32, pc: i32, kc: i32, transA: bool, m: i32, k: i32): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const panel = dst + <usize>(ir * kc) * 4;
    const rows = min(MR, mc - ir);
    const i0 = ic + ir;
    if (transA && rows == MR) {
      // op(A)[i][p] = a[p·m + i]: the MR values of one p are contiguous
      for (let p = 0; p < kc; p++) v128.store(panel + <usize>p * 16, v128.load(at<f32>(a, (pc + p) * m + i0)));
    } else if (transA) {
      for (let p = 0; p < kc; p++) {
        for (let s = 0; s < MR; s++) store<f32>(panel + <usize>(p * MR + s) * 4, s < rows ? load<f32>(at<f32>(a, (pc + p) * m + i0 + s)) : 0);
      }
    } else if (rows == MR) {
      // op(A)[i][p] = a[i·k + p]: 4×4 blocks of the four rows, transposed in registers
      const src = at<f32>(a, i0 * k + pc);
      const stride = <usize>k * 4;
      let p = 0;
      for (; p + 4 <= kc; p += 4) transpose4x4Store(src + <usize>p * 4, stride, panel + <usize>(p * MR) * 4, MR * 4);
      for (; p < kc; p++) {
        for (let s = 0; s < MR; s++) store<f32>(panel + <usize>(p * MR + s) * 4, load<f32>(at<f32>(src, s * k + p)));
      }
    } else {
      for (let s = 0; s < MR; s++) {
        if (s < rows) {
          const src = at<f32>(a, (i0 + s) * k + pc);
          for (let p = 0; p < kc; p++) store<f32>(panel + <usize>(p * MR + s) * 4, load<f32>(at<f32>(src, p)));
        } else {
          for (let p = 0; p < kc; p++) store<f32>(panel + <usize>(p * MR + s) * 4, 0);
        }
      }
    }
  }
}

/**
 * C = A · Bᵀ with A stored m×k and B stored n×k (transB without transA) is computed as m·n dot
 * products when C has at most 8 rows or 8 columns: both operands are then contiguous along k, so
 * no packing is needed, and a narrow C would leave the packed kernels mostly padding (conv2d's
 * weight gradient: 5 output channels × 27 weights, each a dot product of length 676).
 */
// @ts-ignore: decorator
@inline function usesDotProducts(m: i32, k: i32, n: i32, transA: bool, transB: bool): bool {
  return transB && !transA && min(m, n) <= 2 * MR && k >= 4;
}

/**
 * One dot product, finished: the four lanes of `s` (the sums of the products at p ≡ lane mod 4,
 * for p < k4) added pairwise, then the products from k4 to k in order. Every dot-product kernel
 * ends each output this way, so an output does not depend on which kernel computed it.
 */
// @ts-ignore: decorator
@inline function finishDot(s: v128, a: usize, b: usize, k4: i32, k: i32): f32 {
  let t = (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
  for (let p = k4; p < k; p++) t += load<f32>(at<f32>(a, p)) * load<f32>(at<f32>(b, p));
  return t;
}

/** C[0..2][0..4] = rows a, a + rowBytes of A dotted with rows b .. b + 3·rowBytes of B. */
function dot2x4(a: usize, b: usize, rowBytes: usize, k: i32, c: usize, ldc: usize): void {
  let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0), s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0), s13 = f32x4.splat(0);
  const a1 = a + rowBytes;
  const b1 = b + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
  const k4 = k & ~3;
  for (let p: usize = 0; p < <usize>k4 * 4; p += 16) {
    const x0 = v128.load(a + p), x1 = v128.load(a1 + p);
    const y0 = v128.load(b + p), y1 = v128.load(b1 + p), y2 = v128.load(b2 + p), y3 = v128.load(b3 + p);
    s00 = madd(x0, y0, s00);
    s01 = madd(x0, y1, s01);
    s02 = madd(x0, y2, s02);
    s03 = madd(x0, y3, s03);
    s10 = madd(x1, y0, s10);
    s11 = madd(x1, y1, s11);
    s12 = madd(x1, y2, s12);
    s13 = madd(x1, y3, s13);
  }
  store<f32>(c, finishDot(s00, a, b, k4, k));
  store<f32>(c, finishDot(s01, a, b1, k4, k), 4);
  store<f32>(c, finishDot(s02, a, b2, k4, k), 8);
  store<f32>(c, finishDot(s03, a, b3, k4, k), 12);
  store<f32>(c + ldc, finishDot(s10, a1, b, k4, k));
  store<f32>(c + ldc, finishDot(s11, a1, b1, k4, k), 4);
  store<f32>(c + ldc, finishDot(s12, a1, b2, k4, k), 8);
  store<f32>(c + ldc, finishDot(s13, a1, b3, k4, k), 12);
}

/** C[0][0..4] = row a of A dotted with rows b .. b + 3·rowBytes of B. */
function dot1x4(a: usize, b: usize, rowBytes: usize, k: i32, c: usize): void {
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  const b1 = b + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
  const k4 = k & ~3;
  for (let p: usize = 0; p < <usize>k4 * 4; p += 16) {
    const x = v128.load(a + p);
    s0 = madd(x, v128.load(b + p), s0);
    s1 = madd(x, v128.load(b1 + p), s1);
    s2 = madd(x, v128.load(b2 + p), s2);
    s3 = madd(x, v128.load(b3 + p), s3);
  }
  store<f32>(c, finishDot(s0, a, b, k4, k));
  store<f32>(c, finishDot(s1, a, b1, k4, k), 4);
  store<f32>(c, finishDot(s2, a, b2, k4, k), 8);
  store<f32>(c, finishDot(s3, a, b3, k4, k), 12);
}

/** C[0][0] = row a of A dotted with row b of B. */
function dot1x1(a: usize, b: usize, k: i32, c: usize): void {
  let s = f32x4.splat(0);
  const k4 = k & ~3;
  for (let p: usize = 0; p < <usize>k4 * 4; p += 16) s = madd(v128.load(a + p), v128.load(b + p), s);
  store<f32>(c, finishDot(s, a, b, k4, k));
}

/** Rows [rowStart, rowEnd) of C (m×n) = A · Bᵀ, A m×k and B n×k, as dot products (usesDotProducts). */
function dotProducts(c: usize, a: usize, b: usize, k: i32, n: i32, rowStart: i32, rowEnd: i32): void {
  const rowBytes = <usize>k * 4;
  const ldc = <usize>n * 4;
  // with at least 4 columns, the last columns take one more full tile ending at column n, which
  // computes some outputs a second time, by the same instructions, so to the same bits
  const tail = n >= 4 && n % 4 != 0 ? n - 4 : -1;
  let i = rowStart;
  for (; i + 2 <= rowEnd; i += 2) {
    const ai = a + <usize>i * rowBytes;
    const ci = c + <usize>i * ldc;
    let j = 0;
    for (; j + 4 <= n; j += 4) dot2x4(ai, b + <usize>j * rowBytes, rowBytes, k, at<f32>(ci, j), ldc);
    if (tail >= 0) dot2x4(ai, b + <usize>tail * rowBytes, rowBytes, k, at<f32>(ci, tail), ldc);
    else {
      for (; j < n; j++) {
        dot1x1(ai, b + <usize>j * rowBytes, k, at<f32>(ci, j));
        dot1x1(ai + rowBytes, b + <usize>j * rowBytes, k, at<f32>(ci + ldc, j));
      }
    }
  }
  if (i < rowEnd) {
    const ai = a + <usize>i * rowBytes;
    const ci = c + <usize>i * ldc;
    let j = 0;
    for (; j + 4 <= n; j += 4) dot1x4(ai, b + <usize>j * rowBytes, rowBytes, k, at<f32>(ci, j));
    if (tail >= 0) dot1x4(ai, b + <usize>tail * rowBytes, rowBytes, k, at<f32>(ci, tail));
    else for (; j < n; j++) dot1x1(ai, b + <usize>j * rowBytes, k, at<f32>(ci, j));
  }
}

/**
 * op(B) is read in place, not packed, when it is stored k×n (no transB) and C has at most two row
 * panels: each element of B then takes part in at most two micro-kernel calls, so copying it into
 * panels first would cost about as much as the product (conv2d's forward with few output channels:
 * 5×27 weights times a 27×676 im2col block). Full 8-column panels are read straight from B's rows;
 * the last, partial one is packed. The sums are the same as with packing, in the same order.
 */
// @ts-ignore: decorator
@inline function readsBInPlace(m: i32, transB: bool): bool {
  return !transB && m <= 2 * MR;
}

/**
 * Rows [rowStart, rowEnd) of one product C (m×n) = op(A) · op(B), float32, using `work`
 * (matmul_workspace_bytes). Each output is the same sum in the same order whichever rows are asked
 * for, so the threads that split C by rows (matmul_f32_part) give bit-identical results.
 */
function sgemm(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool, work: usize, rowStart: i32, rowEnd: i32): void {
  if (k == 0) {
    memory.fill(at<f32>(c, rowStart * n), 0, <usize>((rowEnd - rowStart) * n) * 4);
    return;
  }
  if (usesDotProducts(m, k, n, transA, transB)) {
    dotProducts(c, a, b, k, n, rowStart, rowEnd);
    return;
  }
  const packedA = work;
  const packedB = work + <usize>(MC * KC) * 4;
  const tile = packedB + <usize>(KC * NC) * 4;
  const ldc = <usize>n * 4;
  const inPlace = readsBInPlace(m, transB);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    // in place, only the partial last panel is packed (to packedB)
    const fullCols = nc - nc % NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const accumulate = pc > 0;
      if (!inPlace) packB(packedB, b, pc, kc, jc, nc, transB, k, n);
      else if (fullCols < nc) packB(packedB, b, pc, kc, jc + fullCols, nc - fullCols, false, k, n);
      // panel jr of op(B): its first 8 values, the bytes between steps of p, and between panels
      const pbStep: usize = inPlace ? <usize>n * 4 : <usize>NR * 4;
      const panelBytes: usize = inPlace ? <usize>NR * 4 : <usize>(kc * NR) * 4;
      const firstPanel = inPlace ? at<f32>(b, pc * n + jc) : packedB;
      for (let ic = rowStart; ic < rowEnd; ic += MC) {
        const mc = min(MC, rowEnd - ic);
        packA(packedA, a, ic, mc, pc, kc, transA, m, k);
        const fullRows = mc - mc % MR;
        for (let jr = 0; jr < nc; jr += NR) {
          const full = jr < fullCols;
          // a partial panel read in place was packed on its own, at packedB
          const pb = full || !inPlace ? firstPanel + <usize>(jr >> 3) * panelBytes : packedB;
          const step = full ? pbStep : <usize>NR * 4;
          for (let ir = 0; ir < fullRows; ir += MR) {
            const pa = packedA + <usize>(ir * kc) * 4;
            const cij = at<f32>(c, (ic + ir) * n + jc + jr);
            if (full) microKernel4x8(kc, pa, pb, step, cij, ldc, accumulate);
            else edgeTile(kc, pa, pb, step, tile, cij, ldc, MR, nc - jr, accumulate);
          }
        }
        if (fullRows < mc) {
          // the last, partial row panel: 1 or 2 rows take the wide kernels, the rest padded tiles
          const rows = mc - fullRows;
          const pa = packedA + <usize>(fullRows * kc) * 4;
          const crow = at<f32>(c, (ic + fullRows) * n + jc);
          let jr = 0;
          if (rows == 1) {
            for (; jr + 4 * NR <= fullCols; jr += 4 * NR) {
              microKernel1x32(kc, pa, firstPanel + <usize>(jr >> 3) * panelBytes, pbStep, panelBytes, at<f32>(crow, jr), accumulate);
            }
          } else if (rows == 2) {
            for (; jr + 2 * NR <= fullCols; jr += 2 * NR) {
              microKernel2x16(kc, pa, firstPanel + <usize>(jr >> 3) * panelBytes, pbStep, panelBytes, at<f32>(crow, jr), ldc, accumulate);
            }
          }
          for (; jr < nc; jr += NR) {
            const full = jr < fullCols;
            const pb = full || !inPlace ? firstPanel + <usize>(jr >> 3) * panelBytes : packedB;
            edgeTile(kc, pa, pb, full ? pbStep : <usize>NR * 4, tile, at<f32>(crow, jr), ldc, rows, min(NR, nc - jr), accumulate);
          }
        }
      }
    }
  }
}

/** A tile of rows×cols < 4×8: the padded 4×8 product computed aside, then its valid part added or copied. */
function edgeTile(kc: i32, pa: usize, pb: usize, pbStep: usize, tile: usize, c: usize, ldc: usize, rows: i32, cols: i32, accumulate: bool): void {
  microKernel4x8(kc, pa, pb, pbStep, tile, NR * 4, false);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < cols; t++) {
      const dst = c + <usize>r * ldc + <usize>t * 4;
      const v = load<f32>(tile + <usize>(r * NR + t) * 4);
      store<f32>(dst, accumulate ? load<f32>(dst) + v : v);
    }
  }
}

/** out[q] = op(a[q]) · op(b[q]) for q < batch (float32); `work` holds matmul_workspace_bytes(). */
export function matmul_f32(
  out: usize, a: usize, b: usize, batch: i32, m: i32, k: i32, n: i32,
  aBatchStride: i32, bBatchStride: i32, transA: bool, transB: bool, work: usize,
): void {
  matmul_f32_part(out, a, b, batch, m, k, n, aBatchStride, bBatchStride, transA, transB, work, 0, 1);
}

/**
 * Part `part` of `parts` of matmul_f32, for the thread pool (src/backend/wasm/pool.ts). The work is
 * batch × ⌈m/4⌉ row panels of 4 rows, cut into `parts` contiguous runs of nearly equal length: a
 * fixed partition that depends only on the shapes and `parts`, and since every output element is
 * computed the same way in any run, the result does not depend on `parts` at all. Parts that run at
 * the same time need workspaces of their own (the pool gives each thread one).
 */
export function matmul_f32_part(
  out: usize, a: usize, b: usize, batch: i32, m: i32, k: i32, n: i32,
  aBatchStride: i32, bBatchStride: i32, transA: bool, transB: bool, work: usize, part: i32, parts: i32,
): void {
  const panels = <i64>((m + MR - 1) / MR);
  const units = <i64>batch * panels;
  let u = units * <i64>part / <i64>parts;
  const end = units * <i64>(part + 1) / <i64>parts;
  while (u < end) {
    const q = <i32>(u / panels);
    const first = <i32>(u % panels);
    const last = <i32>min<i64>(panels, <i64>first + end - u);
    sgemm(
      at<f32>(out, q * m * n), at<f32>(a, q * aBatchStride), at<f32>(b, q * bBatchStride), m, k, n, transA, transB, work,
      first * MR, min(m, last * MR),
    );
    u += <i64>(last - first);
  }
}

/**
 * The plain product for float64 and int32: each output is Σ_p op(A)[i][p] · op(B)[p][j] added in
 * order of p, starting from 0, as the reference does. Without transB the row of C takes a rank-1
 * update per p, in SIMD over j; with transB each output is a dot product of two contiguous runs.
 */
// @ts-ignore: decorator
@inline function plainProduct<T>(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, transA: bool, transB: bool): void {
  const N = 16 / sizeof<T>();
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  for (let i = 0; i < m; i++) {
    const ci = at<T>(c, i * n);
    if (!transB) {
      memory.fill(ci, 0, <usize>n << alignof<T>());
      for (let p = 0; p < k; p++) {
        const x = load<T>(at<T>(a, i * aRow + p * aCol));
        const vx = v128.splat<T>(x);
        const bp = at<T>(b, p * n);
        let j = 0;
        for (; j + N <= n; j += N) {
          v128.store(at<T>(ci, j), v128.add<T>(v128.load(at<T>(ci, j)), v128.mul<T>(vx, v128.load(at<T>(bp, j)))));
        }
        for (; j < n; j++) store<T>(at<T>(ci, j), load<T>(at<T>(ci, j)) + x * load<T>(at<T>(bp, j)));
      }
    } else {
      for (let j = 0; j < n; j++) {
        const bj = at<T>(b, j * k);
        let acc: T = 0;
        for (let p = 0; p < k; p++) acc += load<T>(at<T>(a, i * aRow + p * aCol)) * load<T>(at<T>(bj, p));
        store<T>(at<T>(ci, j), acc);
      }
    }
  }
}

/** out[q] = op(a[q]) · op(b[q]) for q < batch (float64, bit-identical to the reference) */
export function matmul_f64(
  out: usize, a: usize, b: usize, batch: i32, m: i32, k: i32, n: i32,
  aBatchStride: i32, bBatchStride: i32, transA: bool, transB: bool,
): void {
  for (let q = 0; q < batch; q++) {
    plainProduct<f64>(at<f64>(out, q * m * n), at<f64>(a, q * aBatchStride), at<f64>(b, q * bBatchStride), m, k, n, transA, transB);
  }
}

/** out[q] = op(a[q]) · op(b[q]) for q < batch (int32, wrapping) */
export function matmul_i32(
  out: usize, a: usize, b: usize, batch: i32, m: i32, k: i32, n: i32,
  aBatchStride: i32, bBatchStride: i32, transA: bool, transB: bool,
): void {
  for (let q = 0; q < batch; q++) {
    plainProduct<i32>(at<i32>(out, q * m * n), at<i32>(a, q * aBatchStride), at<i32>(b, q * bBatchStride), m, k, n, transA, transB);
  }
}
