/**
 * The backend interface: the whole set of primitive kernels that gradstep's tensors, autograd, nn
 * and optimizers are built from. This file is the one place the primitive set is documented.
 *
 * A backend owns tensor memory (through opaque `Storage` handles) and runs kernels on it. It holds
 * no policy: no broadcasting rules, no autograd, no dtype promotion. The front end (`src/ops/`)
 * decides shapes, strides and output dtypes, allocates the output and calls one primitive.
 *
 * Conventions for every kernel:
 * * `out` is written, every other storage is only read. `out` may be the same storage as an input
 *   for element-wise kernels (that is how in-place ops such as `add_` run), never for the others.
 * * Unless a kernel says otherwise, all storages passed to one call share one dtype (the front end
 *   casts first), and storages are dense row-major.
 * * Float32 arithmetic rounds like IEEE float32 after every operation; float64 like float64; int32
 *   wraps like C int32 (division truncates toward zero).
 * * int64 and bool storages hold int32 elements and every kernel treats them exactly as int32
 *   (dtype.ts explains why); the front end keeps bool at 0/1. Only the conversions into bool differ:
 *   `fromArray`, `write`, `fill` and `cast` store x != 0 (NaN is true) in a bool storage.
 * * Sizes are element counts, never bytes.
 */
import type { DType, TypedArray } from "../dtype.js";

/** An opaque handle to `length` elements of `dtype` owned by a backend. */
export interface Storage {
  readonly dtype: DType;
  readonly length: number;
}

export type UnaryOp =
  | "neg" // -x
  | "abs" // |x|
  | "sign" // -1, 0 or 1 (±0 and NaN give 0, as PyTorch)
  | "exp" // e^x
  | "log" // ln x
  | "sqrt" // √x
  | "tanh" // tanh x
  | "sigmoid" // 1 / (1 + e^-x)
  | "relu"; // max(x, 0)

export type BinaryOp =
  | "add" // a + b
  | "sub" // a - b
  | "mul" // a · b
  | "div" // a / b
  | "pow" // a ^ b
  | "maximum" // max(a, b), NaN if either is NaN
  | "minimum" // min(a, b), NaN if either is NaN
  | "eq" // 1 if a == b else 0 (comparisons write 1 or 0 in the output dtype)
  | "ne"
  | "lt"
  | "le"
  | "gt"
  | "ge";

export type ReduceOp =
  | "sum" // Σ
  | "max" // largest value; NaN if any is NaN
  | "min" // smallest value; NaN if any is NaN
  | "argmax" // index of the first largest value (written as int32)
  | "argmin"; // index of the first smallest value (written as int32)

/** Geometry of a 2-D convolution or pooling window, shared by im2col, col2im and the pools. */
export interface Window2d {
  /** batch (images), channels, input height and width */
  batch: number;
  channels: number;
  height: number;
  width: number;
  kernelH: number;
  kernelW: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  /** output height and width, already computed by the front end */
  outH: number;
  outW: number;
}

/** What `memoryStats()` reports, in bytes. */
export interface MemoryStats {
  /** Held by live storages (allocator block sizes, so slightly more than their elements). */
  liveBytes: number;
  /** From the start of the memory to the top of the allocator's heap (live or free blocks below it). */
  heapBytes: number;
  /** The memory's current size. */
  memoryBytes: number;
  /** The most it may grow to. */
  maximumBytes: number;
  /**
   * Moved out of the memory by sweeps so far (storages no kernel had used since the previous sweep),
   * and brought back because a program used them again (see "Tensor lifetimes" in the README).
   */
  evictedBytes: number;
  restoredBytes: number;
}

export interface Backend {
  readonly name: string;

  // ---- memory ------------------------------------------------------------------------------------
  /** New zero-filled storage. */
  alloc(dtype: DType, length: number): Storage;
  /** New storage holding a copy of `values` converted to `dtype`. */
  fromArray(dtype: DType, values: ArrayLike<number>): Storage;
  /** A copy of the storage's elements as a typed array of its dtype. */
  read(s: Storage): TypedArray;
  /** Overwrites the storage's elements from `values` (same length), converting to its dtype. */
  write(s: Storage, values: ArrayLike<number>): void;
  /**
   * Returns the memory to the backend; the handle must not be used again, and using it throws an
   * error ending in `reason` (what freed it and how to avoid it). A no-op for garbage-collected memory.
   */
  free(s: Storage, reason?: string): void;
  /**
   * Scopes, for backends whose memory the garbage collector cannot see (`tidy` is built on them):
   * storages allocated between `startScope()` and the matching `endScope(keep)` are freed by it,
   * except those in `keep`, which move to the enclosing scope. A backend without them (the JS
   * backend: typed arrays are garbage-collected) simply leaves them out.
   */
  startScope?(): void;
  endScope?(keep?: Iterable<Storage>, reason?: string): void;
  /**
   * Moves storages no kernel has used since the previous sweep out of the backend's memory (see
   * "Tensor lifetimes" in the README); backward calls it once it has released a graph.
   */
  sweep?(): void;
  /** The storages allocated so far in the innermost open scope. */
  scopeStorages?(): Iterable<Storage>;
  /** Exempts a storage from every open scope. */
  keep?(s: Storage): void;
  /** Byte counts of the backend's memory, where it manages its own. */
  memoryStats?(): MemoryStats;

  // ---- fill / copy -------------------------------------------------------------------------------
  /** out[i] = value (rounded to out's dtype; for bool, value != 0) */
  fill(out: Storage, value: number): void;
  /**
   * out[i] = convert(a[i]): the only kernel whose input and output dtypes may differ. To an integer
   * type it truncates toward zero; to bool it is a[i] != 0.
   */
  cast(out: Storage, a: Storage): void;
  /**
   * General strided copy over an n-d index space of `shape`:
   * out[outOffset + Σ idx_d · outStrides_d] = a[aOffset + Σ idx_d · aStrides_d].
   * It materialises transpose/permute/expand, slices and concatenation.
   */
  copyStrided(
    out: Storage,
    outOffset: number,
    outStrides: readonly number[],
    a: Storage,
    aOffset: number,
    aStrides: readonly number[],
    shape: readonly number[],
  ): void;

  // ---- element-wise ------------------------------------------------------------------------------
  /** out[i] = op(a[i]) */
  unary(op: UnaryOp, out: Storage, a: Storage): void;
  /**
   * out[idx] = op(a[Σ idx_d · aStrides_d], b[Σ idx_d · bStrides_d]) for every idx of `shape`,
   * `out` dense over `shape`. Broadcasting is a stride of 0.
   */
  binary(
    op: BinaryOp,
    out: Storage,
    a: Storage,
    aStrides: readonly number[],
    b: Storage,
    bStrides: readonly number[],
    shape: readonly number[],
  ): void;

  // ---- fused in-place updates (same length for all operands) ---------------------------------------
  /** out[i] = a[i] + alpha · b[i] */
  addScaled(out: Storage, a: Storage, b: Storage, alpha: number): void;
  /** out[i] = a[i] + value · t1[i] · t2[i] */
  addcmul(out: Storage, a: Storage, t1: Storage, t2: Storage, value: number): void;
  /** out[i] = a[i] + value · t1[i] / t2[i] */
  addcdiv(out: Storage, a: Storage, t1: Storage, t2: Storage, value: number): void;
  /** out[i] = a[i] + weight · (b[i] - a[i]) */
  lerp(out: Storage, a: Storage, b: Storage, weight: number): void;
  /** out[i] = min(max(a[i], lo), hi); NaN stays NaN */
  clamp(out: Storage, a: Storage, lo: number, hi: number): void;
  /** out[i] = cond[i] != 0 ? a[i] : b[i] (cond has out's dtype) */
  where(out: Storage, cond: Storage, a: Storage, b: Storage): void;

  // ---- reductions --------------------------------------------------------------------------------
  /**
   * Reduces the middle axis of `a` viewed as [outer, size, inner]:
   * out[o · inner + i] = op over k of a[(o · size + k) · inner + i].
   * `size` may be 0 only for "sum" (result 0). For argmax/argmin, `out` is int32.
   */
  reduce(op: ReduceOp, out: Storage, a: Storage, outer: number, size: number, inner: number): void;

  // ---- linear algebra ----------------------------------------------------------------------------
  /**
   * Batched matrix product out[p] = op(a[p]) · op(b[p]) for p < batch, out[p] dense m×n.
   * op(a[p]) is m×k: a[p] is stored m×k at a[p · aBatchStride], or k×m if `transA`.
   * op(b[p]) is k×n: b[p] is stored k×n at b[p · bBatchStride], or n×k if `transB`.
   * A batch stride of 0 reuses one matrix for the whole batch.
   */
  matmul(
    out: Storage,
    a: Storage,
    b: Storage,
    batch: number,
    m: number,
    k: number,
    n: number,
    aBatchStride: number,
    bBatchStride: number,
    transA: boolean,
    transB: boolean,
  ): void;

  // ---- convolution and pooling -------------------------------------------------------------------
  /**
   * Unfolds image patches: x [batch, channels, height, width] →
   * cols [batch, channels · kernelH · kernelW, outH · outW], zero outside the padded border.
   */
  im2col(cols: Storage, x: Storage, w: Window2d): void;
  /** The adjoint of im2col: sums every column entry back into its pixel. `out` is overwritten. */
  col2im(out: Storage, cols: Storage, w: Window2d): void;
  /**
   * Max pooling: out [batch, channels, outH, outW] and, for each output, the flat index
   * (y · width + x) within its input plane of the first largest value (int32), as PyTorch stores it.
   * Padding positions are never chosen.
   */
  maxPool2d(out: Storage, indices: Storage, x: Storage, w: Window2d): void;
  /** gradX (overwritten) [batch, channels, height, width] += gradOut at the recorded indices. */
  maxPool2dBackward(gradX: Storage, gradOut: Storage, indices: Storage, w: Window2d): void;

  // ---- gather / scatter --------------------------------------------------------------------------
  /** out[r · rowSize + j] = src[idx[r] · rowSize + j] for r < idx.length; idx is int32 and in range. */
  gatherRows(out: Storage, src: Storage, idx: Storage, rowSize: number): void;
  /** out[idx[r] · rowSize + j] += src[r · rowSize + j]; repeated indices accumulate. */
  scatterAddRows(out: Storage, src: Storage, idx: Storage, rowSize: number): void;
  /**
   * Checks integer indices `idx` (int32 or int64) against a dimension of `size`: each must lie in
   * [0, size), or in [-size, size) if `negative`. If one does not, throws `error(value)` of the first
   * that does not and writes nothing; otherwise writes them to `out` (int32, idx's length) with
   * negatives wrapped (v + size). A kernel rather than a read into JavaScript, so that an indexing
   * op's bounds check is part of a captured step and runs again on every replay.
   */
  wrapIndices(out: Storage, idx: Storage, size: number, negative: boolean, error: (value: number) => Error): void;

  // ---- fused optimizer steps ---------------------------------------------------------------------
  // One pass over a parameter and its state instead of the optimizer's sequence of in-place ops
  // (`mul_`, `add_`, `addcmul_`, `sqrt`, `addcdiv_`, ...). Each performs exactly that sequence's
  // operations, in its order and with its roundings (every scalar rounded to the dtype where the
  // unfused op rounds it, every intermediate rounded, no fused multiply-add), so results are
  // bit-identical to it. All storages are float32 or float64, of one dtype and length; `param`
  // and the state buffers are updated in place, `grad` is only read.

  /**
   * SGD (see src/optim/sgd.ts), for each i, g = grad[i], θ = param[i], b = momentumBuffer[i]:
   *     g ← −g if maximize;  g ← g + θ·λ if λ ≠ 0
   *     if momentumBuffer: b ← g if firstStep, else b ← b·μ + (1 − τ)·g;  g ← g + b·μ if nesterov, else g ← b
   *     θ ← θ + (−γ)·g
   * `momentumBuffer` is null when μ = 0.
   */
  sgdStep(param: Storage, grad: Storage, momentumBuffer: Storage | null, s: SgdStepScalars): void;
  /**
   * Adam and AdamW (src/optim/adam.ts, adamw.ts), for each i, with m, v, vᵐᵃˣ the state buffers:
   *     g ← −g if maximize
   *     θ ← θ·(1 − γλ) if decoupledWeightDecay (AdamW), else g ← g + θ·λ if λ ≠ 0
   *     m ← m·β₁ + (1 − β₁)·g;  v ← v·β₂ + (1 − β₂)·(g·g)
   *     vᵐᵃˣ ← max(vᵐᵃˣ, v) if maxExpAvgSq (then it replaces v below; NaN propagates, ties keep vᵐᵃˣ)
   *     θ ← θ + (−stepSize)·(m / (√v / biasCorrection2Sqrt + ε))
   */
  adamStep(
    param: Storage,
    grad: Storage,
    expAvg: Storage,
    expAvgSq: Storage,
    maxExpAvgSq: Storage | null,
    s: AdamStepScalars,
  ): void;
  /**
   * RMSprop (src/optim/rmsprop.ts), for each i, with v, g̅, b the state buffers:
   *     g ← −g if maximize;  g ← g + θ·λ if λ ≠ 0
   *     v ← v·α + (1 − α)·(g·g)
   *     if gradAvg (centered): g̅ ← g̅·α + (1 − α)·g;  d ← √(v + (−1)·(g̅·g̅)) + ε, else d ← √v + ε
   *     if momentumBuffer: b ← b·μ + g/d;  θ ← θ + (−γ)·b, else θ ← θ + (−γ)·(g/d)
   */
  rmspropStep(
    param: Storage,
    grad: Storage,
    squareAvg: Storage,
    gradAvg: Storage | null,
    momentumBuffer: Storage | null,
    s: RmspropStepScalars,
  ): void;

  // ---- memory, continued -------------------------------------------------------------------------
  /**
   * New storage whose contents are unspecified, for an output the next kernel overwrites entirely
   * (element-wise results, matmul, im2col, reductions, copies): `alloc`'s zero fill would be
   * wasted work there. Every element must be written before it is read.
   */
  allocUninitialized(dtype: DType, length: number): Storage;
}

/** The hyper-parameters of `sgdStep`, as the optimizer's step loop holds them (float64 numbers). */
export interface SgdStepScalars {
  /** γ */
  lr: number;
  /** μ */
  momentum: number;
  /** τ */
  dampening: number;
  /** λ */
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** The momentum buffer was just created: it takes the gradient instead of being decayed. */
  firstStep: boolean;
}

/** The hyper-parameters of `adamStep` (float64 numbers; the bias corrections already applied). */
export interface AdamStepScalars {
  /** γ (used only by decoupled weight decay: θ·(1 − γλ)) */
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** λ */
  weightDecay: number;
  /** AdamW's θ ← θ·(1 − γλ) instead of Adam's L2 term g ← g + θ·λ */
  decoupledWeightDecay: boolean;
  /** γ / (1 − β₁ᵗ) */
  stepSize: number;
  /** √(1 − β₂ᵗ) */
  biasCorrection2Sqrt: number;
  maximize: boolean;
  /**
   * Adam's `capturable: true`: the storage of the 0-d float32 step tensor t, whose value the kernel
   * reads when it runs (so that a captured step's replay uses that replay's t) to compute the bias
   * corrections itself, in float32 as the tensor ops `1 − β₁ᵗ`, `1 − β₂ᵗ`, `√(1 − β₂ᵗ)`,
   * `−(γ / (1 − β₁ᵗ))` round them; `stepSize` and `biasCorrection2Sqrt` are then ignored.
   */
  step?: Storage | null;
}

/** The hyper-parameters of `rmspropStep` (float64 numbers). */
export interface RmspropStepScalars {
  /** γ */
  lr: number;
  /** α */
  alpha: number;
  eps: number;
  /** λ */
  weightDecay: number;
  /** μ (the momentum buffer is passed when μ > 0) */
  momentum: number;
  maximize: boolean;
}
