/**
 * The kernels module's exports as TypeScript sees them: the hand-typed mirror of
 * assembly/index.ts. Pointers are byte addresses into the module's memory, sizes are elements.
 * A wasm i32 result arrives as a signed number, so pointers are read back with `>>> 0`.
 *
 * Kernel names follow one rule, `${op}_${suffix}`, where op is the backend interface's own name
 * (UnaryOp, BinaryOp, ReduceOp) and suffix the dtype (f32, f64, i32) or, for kernels that only move
 * bits, the element width (x32, x64). The mapped types below spell that rule out, so a kernel
 * missing from this list (or misnamed in assembly/) is a type error here.
 */
import type { BinaryOp, ReduceOp, UnaryOp } from "../backend.js";

/** A byte address in the module's linear memory. */
export type Pointer = number;
/** Kernel suffix of each dtype. */
export type DtypeSuffix = "f32" | "f64" | "i32";
/** Suffix of kernels that exist for floating-point dtypes only. */
export type FloatSuffix = "f32" | "f64";
/** Suffix of bit-moving kernels: x32 serves float32 and int32, x64 float64. */
export type WidthSuffix = "x32" | "x64";

type UnaryKernel = (out: Pointer, a: Pointer, n: number) => void;
/** Binary and reduce kernels run part `part` of `parts` of the call (0 of 1: all of it; see pool.ts). */
type BinaryKernel = (
  out: Pointer,
  a: Pointer,
  b: Pointer,
  geometry: Pointer,
  ndim: number,
  part: number,
  parts: number,
) => void;
type ReduceKernel = (
  out: Pointer,
  a: Pointer,
  outer: number,
  size: number,
  inner: number,
  part: number,
  parts: number,
) => void;
type Window = [
  batch: number,
  channels: number,
  height: number,
  width: number,
  kernelH: number,
  kernelW: number,
  strideH: number,
  strideW: number,
  padH: number,
  padW: number,
  outH: number,
  outW: number,
];
type MatmulArgs = [
  out: Pointer,
  a: Pointer,
  b: Pointer,
  batch: number,
  m: number,
  k: number,
  n: number,
  aBatchStride: number,
  bBatchStride: number,
  transA: number,
  transB: number,
];

export type KernelExports = { [K in `${UnaryOp}_${DtypeSuffix}`]: UnaryKernel } & {
  [K in `${BinaryOp}_${DtypeSuffix}`]: BinaryKernel;
} & { [K in `${ReduceOp}_${DtypeSuffix}`]: ReduceKernel } & {
  [K in `fill_${DtypeSuffix}`]: (out: Pointer, value: number, n: number) => void;
} & {
  [K in `copy_strided_${WidthSuffix}`]: (
    out: Pointer,
    outOffset: number,
    a: Pointer,
    aOffset: number,
    geometry: Pointer,
    ndim: number,
  ) => void;
} & {
  [K in `gather_rows_${WidthSuffix}`]: (
    out: Pointer,
    src: Pointer,
    idx: Pointer,
    rows: number,
    rowSize: number,
  ) => void;
} & {
  wrap_indices_i32: (out: Pointer, idx: Pointer, n: number, size: number, negative: number) => number;
} & {
  [K in `scatter_add_rows_${DtypeSuffix}`]: (
    out: Pointer,
    src: Pointer,
    idx: Pointer,
    rows: number,
    rowSize: number,
  ) => void;
} & {
  [K in `add_scaled_${DtypeSuffix}` | `lerp_${DtypeSuffix}`]: (
    out: Pointer,
    a: Pointer,
    b: Pointer,
    scalar: number,
    n: number,
  ) => void;
} & {
  [K in `addcmul_${DtypeSuffix}` | `addcdiv_${DtypeSuffix}`]: (
    out: Pointer,
    a: Pointer,
    t1: Pointer,
    t2: Pointer,
    value: number,
    n: number,
  ) => void;
} & { [K in `where_${DtypeSuffix}`]: (out: Pointer, cond: Pointer, a: Pointer, b: Pointer, n: number) => void } & {
  [K in `im2col_${WidthSuffix}`]: (cols: Pointer, x: Pointer, ...window: Window) => void;
} & { [K in `col2im_${DtypeSuffix}`]: (out: Pointer, cols: Pointer, ...window: Window) => void } & {
  im2col_x32_part: (cols: Pointer, x: Pointer, ...rest: [...Window, part: number, parts: number]) => void;
} & { col2im_f32_part: (out: Pointer, cols: Pointer, ...rest: [...Window, part: number, parts: number]) => void } & {
  maxpool2d_f32_part: (
    out: Pointer,
    indices: Pointer,
    x: Pointer,
    ...rest: [...Window, part: number, parts: number]
  ) => void;
} & {
  maxpool2d_backward_f32_part: (
    gradX: Pointer,
    gradOut: Pointer,
    indices: Pointer,
    planes: number,
    planeSize: number,
    perPlane: number,
    part: number,
    parts: number,
  ) => void;
} & { [K in `maxpool2d_${DtypeSuffix}`]: (out: Pointer, indices: Pointer, x: Pointer, ...window: Window) => void } & {
  [K in `maxpool2d_backward_${DtypeSuffix}`]: (
    gradX: Pointer,
    gradOut: Pointer,
    indices: Pointer,
    planes: number,
    planeSize: number,
    perPlane: number,
  ) => void;
} & {
  memory: WebAssembly.Memory;

  // memory.ts: the allocator
  /** A 16-byte aligned block of at least `bytes` bytes (contents unspecified), 0 when exhausted. */
  alloc(bytes: number): Pointer;
  /** Like alloc, zero-filled. */
  alloc_zeroed(bytes: number): Pointer;
  /** Returns a block; 0 on success, 1 if it was not a live block. */
  free(pointer: Pointer): number;
  heap_live_bytes(): number;
  heap_top(): number;
  block_bytes(pointer: Pointer): number;

  // copy.ts
  cast_f32_to_f64(out: Pointer, a: Pointer, n: number): void;
  cast_f64_to_f32(out: Pointer, a: Pointer, n: number): void;
  cast_f32_to_i32(out: Pointer, a: Pointer, n: number): void;
  cast_f64_to_i32(out: Pointer, a: Pointer, n: number): void;
  cast_i32_to_f32(out: Pointer, a: Pointer, n: number): void;
  cast_i32_to_f64(out: Pointer, a: Pointer, n: number): void;
  copy_bytes(out: Pointer, a: Pointer, bytes: number): void;
  /** The same copy as a plain v128 loop (bytes a multiple of 4): a bandwidth yardstick. */
  copy_v128(out: Pointer, a: Pointer, bytes: number): void;

  // select.ts
  clamp_f32(
    out: Pointer,
    a: Pointer,
    loBelow: number,
    hiAbove: number,
    loValue: number,
    hiValue: number,
    n: number,
  ): void;
  clamp_f64(out: Pointer, a: Pointer, lo: number, hi: number, n: number): void;
  clamp_i32(out: Pointer, a: Pointer, lo: number, hi: number, loValue: number, hiValue: number, n: number): void;

  // matmul.ts
  matmul_workspace_bytes(): number;
  matmul_f32(...args: [...MatmulArgs, work: Pointer]): void;
  /** Part `part` of `parts` of matmul_f32 (for the thread pool); `work` holds `parts` workspaces. */
  matmul_f32_part(...args: [...MatmulArgs, work: Pointer, part: number, parts: number]): void;
  matmul_f64(...args: MatmulArgs): void;
  matmul_i32(...args: MatmulArgs): void;
} & {
  // optim_steps.ts: fused optimizer steps (float dtypes only; flags documented there)
  [K in `sgd_step_${FloatSuffix}`]: (
    param: Pointer,
    grad: Pointer,
    buffer: Pointer,
    n: number,
    flags: number,
    weightDecay: number,
    momentum: number,
    keep: number,
    negLr: number,
  ) => void;
} & {
  [K in `adam_step_${FloatSuffix}`]: (
    param: Pointer,
    grad: Pointer,
    expAvg: Pointer,
    expAvgSq: Pointer,
    maxExpAvgSq: Pointer,
    n: number,
    flags: number,
    beta1: number,
    keep1: number,
    beta2: number,
    keep2: number,
    weightDecay: number,
    decay: number,
    biasCorrection2Sqrt: number,
    eps: number,
    negStepSize: number,
    step: Pointer,
    lr: number,
  ) => void;
} & {
  [K in `rmsprop_step_${FloatSuffix}`]: (
    param: Pointer,
    grad: Pointer,
    squareAvg: Pointer,
    gradAvg: Pointer,
    buffer: Pointer,
    n: number,
    flags: number,
    weightDecay: number,
    alpha: number,
    keep: number,
    eps: number,
    momentum: number,
    negLr: number,
  ) => void;
};
