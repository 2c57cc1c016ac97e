/**
 * The ABI of gradstep's WebAssembly kernels: every export of the module, by family. Mirrored by
 * src/backend/wasm/exports.ts, the one hand-typed TypeScript description of these functions.
 *
 * Conventions (see src/backend/backend.ts for what each primitive means):
 * * pointers are byte addresses in linear memory (usize), counts and sizes are elements (i32);
 * * kernels are named op_dtype (f32, f64, i32), or op_x32/op_x64 when they only move bits;
 * * kernels never allocate: scratch space (shape/stride blocks, matmul packing) is passed in;
 * * SIMD128 only: no relaxed SIMD, no fused multiply-add, so float results round as the
 *   reference's (see the per-family notes for what is bit-identical and what is within tolerance).
 *   The one exception is opt-in: asconfig.json's "relaxed" target builds this same source with
 *   relaxed SIMD enabled, where matmul.ts's GEMM micro-kernels use f32x4.relaxed_madd (FMA)
 *   (`setBackend("wasm", { relaxedSimd: true })`); every other kernel compiles identically.
 *
 * Built with AssemblyScript's `stub` runtime (asconfig.json): the kernels never create managed
 * objects and tensor storage belongs to memory.ts's allocator, so a collector inside the module
 * (the `minimal` or `incremental` runtime) would only add code and a second owner of the heap.
 * The memory is imported (env.memory) so that JavaScript chooses its maximum.
 */

// memory: the allocator for tensor storage
export { alloc, alloc_zeroed, free, heap_live_bytes, heap_top, block_bytes } from "./memory";

// fill, cast, strided copy, row gather/scatter
export {
  fill_f32, fill_f64, fill_i32,
  cast_f32_to_f64, cast_f64_to_f32, cast_f32_to_i32, cast_f64_to_i32, cast_i32_to_f32, cast_i32_to_f64, copy_bytes, copy_v128,
  copy_strided_x32, copy_strided_x64,
  gather_rows_x32, gather_rows_x64,
  scatter_add_rows_f32, scatter_add_rows_f64, scatter_add_rows_i32,
  wrap_indices_i32,
} from "./copy";

// element-wise, one operand
export {
  neg_f32, neg_f64, neg_i32, abs_f32, abs_f64, abs_i32, sign_f32, sign_f64, sign_i32,
  exp_f32, exp_f64, exp_i32, log_f32, log_f64, log_i32, sqrt_f32, sqrt_f64, sqrt_i32,
  tanh_f32, tanh_f64, tanh_i32, sigmoid_f32, sigmoid_f64, sigmoid_i32, relu_f32, relu_f64, relu_i32,
} from "./unary";

// element-wise, two operands with broadcasting
export {
  add_f32, add_f64, add_i32, sub_f32, sub_f64, sub_i32, mul_f32, mul_f64, mul_i32,
  div_f32, div_f64, div_i32, pow_f32, pow_f64, pow_i32,
  maximum_f32, maximum_f64, maximum_i32, minimum_f32, minimum_f64, minimum_i32,
  eq_f32, eq_f64, eq_i32, ne_f32, ne_f64, ne_i32, lt_f32, lt_f64, lt_i32,
  le_f32, le_f64, le_i32, gt_f32, gt_f64, gt_i32, ge_f32, ge_f64, ge_i32,
} from "./binary";

// fused in-place updates (optimizers)
export {
  add_scaled_f32, add_scaled_f64, add_scaled_i32, addcmul_f32, addcmul_f64, addcmul_i32,
  addcdiv_f32, addcdiv_f64, addcdiv_i32, lerp_f32, lerp_f64, lerp_i32,
} from "./optim_ops";

// selection
export { clamp_f32, clamp_f64, clamp_i32, where_f32, where_f64, where_i32 } from "./select";

// reductions
export {
  sum_f32, sum_f64, sum_i32, max_f32, max_f64, max_i32, min_f32, min_f64, min_i32,
  argmax_f32, argmax_f64, argmax_i32, argmin_f32, argmin_f64, argmin_i32,
} from "./reduce";

// linear algebra
export { matmul_workspace_bytes, matmul_f32, matmul_f32_part, matmul_f64, matmul_i32 } from "./matmul";

// convolution and pooling
export { im2col_x32, im2col_x64, col2im_f32, col2im_f64, col2im_i32, im2col_x32_part, col2im_f32_part } from "./conv";
export {
  maxpool2d_f32, maxpool2d_f64, maxpool2d_i32,
  maxpool2d_backward_f32, maxpool2d_backward_f64, maxpool2d_backward_i32,
  maxpool2d_f32_part, maxpool2d_backward_f32_part,
} from "./pool";

// fused optimizer steps
export {
  sgd_step_f32, sgd_step_f64, adam_step_f32, adam_step_f64, rmsprop_step_f32, rmsprop_step_f64,
} from "./optim_steps";
