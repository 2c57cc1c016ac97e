/**
 * The Tensor: an n-dimensional array with autograd.
 *
 * A tensor is a shape, a dtype and a `Storage` handle owned by a backend. Storage is always dense
 * row-major, so a tensor's element (i, j, k) lives at i·s0 + j·s1 + k with the usual strides.
 * `view`/`reshape` share storage (as in PyTorch: writing through a view writes the original);
 * transpose, permute, expand and slicing copy.
 *
 * Methods here are thin: each forwards to the op that computes it (`src/ops/`), where the forward
 * and backward of every differentiable operation live side by side.
 */
import { type GradFn, runBackward } from "./autograd.js";
import type { Backend, Storage } from "./backend/backend.js";
import { activeBackend } from "./backend/index.js";
import { type DType, type TypedArray, isFloating } from "./dtype.js";
import { formatShape, numelOf, type Shape } from "./shape.js";
import * as elementwise from "./ops/elementwise.js";
import * as reduce from "./ops/reduce.js";
import * as movement from "./ops/movement.js";
import * as linalg from "./ops/matmul.js";
import * as inplace from "./ops/inplace.js";

/** A gradient hook: return nothing to observe the gradient, or a tensor to replace it. */
export type GradHook = (grad: Tensor) => Tensor | void | undefined | null;

/** Nested arrays of numbers, as `tolist()` returns them. */
export type NestedList = number | NestedList[];

export type TensorLike = Tensor | number;

export class Tensor {
  /** Gradient of the last backward pass w.r.t. this tensor (leaves only), or null. */
  private gradient: Tensor | null = null;
  /** Whether autograd tracks this tensor. Set it on leaves you want gradients for. */
  requiresGrad = false;
  /** How this tensor was computed, or null for a leaf (created by the user, not by an op). */
  gradFn: GradFn | null = null;
  /** Gradient hooks, run in registration order when this tensor's gradient is computed. */
  readonly hooks: GradHook[] = [];

  constructor(
    readonly storage: Storage,
    readonly shape: readonly number[],
    readonly backend: Backend = activeBackend(),
  ) {
    if (numelOf(shape) !== storage.length) {
      throw new RangeError(`a tensor of shape ${formatShape(shape)} needs ${numelOf(shape)} elements, storage has ${storage.length}`);
    }
  }

  /** A new zero-filled tensor on the active backend. */
  static empty(shape: Shape, dtype: DType = "float32", backend: Backend = activeBackend()): Tensor {
    return new Tensor(backend.alloc(dtype, numelOf(shape)), [...shape], backend);
  }

  /** A new tensor with unspecified contents, for an op whose kernel writes every element (no zero fill). */
  static uninitialized(shape: Shape, dtype: DType, backend: Backend): Tensor {
    return new Tensor(backend.allocUninitialized(dtype, numelOf(shape)), [...shape], backend);
  }

  // ---- facts -------------------------------------------------------------------------------------
  get dtype(): DType {
    return this.storage.dtype;
  }
  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }
  dim(): number {
    return this.shape.length;
  }
  numel(): number {
    return this.storage.length;
  }
  /** `size()` is the shape; `size(d)` one of its sizes (negative d counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number | number[] {
    if (dim === undefined) return [...this.shape];
    return this.shape[movement.dimIndex(dim, this.ndim)];
  }
  /** True for tensors created by the user rather than computed by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  // ---- reading values ----------------------------------------------------------------------------
  /** The value of a one-element tensor as a JS number. */
  item(): number {
    if (this.numel() !== 1) {
      throw new RangeError(`item(): a tensor with ${this.numel()} elements (shape ${formatShape(this.shape)}) cannot be converted to a number`);
    }
    return this.backend.read(this.storage)[0];
  }
  /** A typed-array copy of the elements in row-major order. */
  toArray(): TypedArray {
    return this.backend.read(this.storage);
  }
  /** The elements as nested arrays (a number for a 0-d tensor). */
  tolist(): NestedList {
    const data = this.toArray();
    const build = (dim: number, offset: number): NestedList => {
      if (dim === this.ndim) return data[offset];
      const stride = numelOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }
  toString(): string {
    const grad = this.gradFn ? `, gradFn=${this.gradFn.name}` : this.requiresGrad ? ", requiresGrad=true" : "";
    return `tensor(${JSON.stringify(this.tolist())}, shape=${formatShape(this.shape)}, dtype=${this.dtype}${grad})`;
  }

  // ---- autograd ----------------------------------------------------------------------------------
  /** ∂L/∂this after `L.backward()`, accumulated over calls; assignable (shapes must match), or null. */
  get grad(): Tensor | null {
    return this.gradient;
  }
  set grad(value: Tensor | null) {
    if (value !== null && !movement.sameShapes(value.shape, this.shape)) {
      throw new RangeError(`assigned grad has shape ${formatShape(value.shape)} but the tensor has shape ${formatShape(this.shape)}`);
    }
    this.gradient = value;
  }

  /** Sets `requiresGrad` in place and returns this tensor, like PyTorch's `requires_grad_()`. */
  requiresGrad_(value = true): this {
    if (!value && this.gradFn !== null) {
      throw new Error("requiresGrad_(false): you can only change requiresGrad of leaf tensors; use detach()");
    }
    if (value && !isFloating(this.dtype)) {
      throw new TypeError(`only floating point tensors can require gradients, this one is ${this.dtype}`);
    }
    this.requiresGrad = value;
    return this;
  }

  /**
   * Back-propagates from this tensor. A scalar (one element) gets ∂L/∂L = 1 by default; any other
   * shape needs the upstream gradient `grad`, as in PyTorch.
   */
  backward(grad?: Tensor): void {
    if (!this.requiresGrad) {
      throw new Error("backward(): this tensor does not require grad and has no gradFn; nothing to differentiate");
    }
    if (grad === undefined) {
      if (this.numel() !== 1) {
        throw new RangeError(`backward(): grad can be implicitly created only for scalar outputs, but this tensor has shape ${formatShape(this.shape)}; pass the upstream gradient`);
      }
      grad = Tensor.empty(this.shape, this.dtype, this.backend);
      grad.fill_(1);
    } else if (!movement.sameShapes(grad.shape, this.shape)) {
      throw new RangeError(`backward(): gradient has shape ${formatShape(grad.shape)} but the tensor has shape ${formatShape(this.shape)}`);
    }
    runBackward(this, grad);
  }

  /**
   * Registers `hook(grad)`, called with this tensor's gradient during backward. If it returns a
   * tensor, that tensor replaces the gradient. Returns a handle whose `remove()` unregisters it.
   */
  registerHook(hook: GradHook): { remove(): void } {
    if (!this.requiresGrad) {
      throw new Error("registerHook(): cannot register a hook on a tensor that doesn't require gradient");
    }
    this.hooks.push(hook);
    return {
      remove: () => {
        const at = this.hooks.indexOf(hook);
        if (at >= 0) this.hooks.splice(at, 1);
      },
    };
  }

  /**
   * Frees this tensor's memory now (WebAssembly backend; see `tidy`). Views sharing the storage
   * are freed with it; using any of them afterwards throws.
   */
  dispose(): void {
    this.backend.free(this.storage);
  }

  /** The same storage, cut off from the graph (a leaf that does not require grad). */
  detach(): Tensor {
    return new Tensor(this.storage, this.shape, this.backend);
  }
  /** A copy with its own storage; differentiable. */
  clone(): Tensor {
    return movement.clone(this);
  }
  /** A copy converted to `dtype` (this tensor itself if it already has that dtype). */
  to(dtype: DType): Tensor {
    return elementwise.cast(this, dtype);
  }
  float(): Tensor {
    return this.to("float32");
  }
  double(): Tensor {
    return this.to("float64");
  }
  int(): Tensor {
    return this.to("int32");
  }

  // ---- element-wise arithmetic (broadcasting) ----------------------------------------------------
  add(other: TensorLike, alpha?: number): Tensor {
    return elementwise.add(this, scaled(other, alpha));
  }
  sub(other: TensorLike, alpha?: number): Tensor {
    return elementwise.sub(this, scaled(other, alpha));
  }
  mul(other: TensorLike): Tensor {
    return elementwise.mul(this, other);
  }
  div(other: TensorLike): Tensor {
    return elementwise.div(this, other);
  }
  pow(exponent: TensorLike): Tensor {
    return elementwise.pow(this, exponent);
  }
  maximum(other: TensorLike): Tensor {
    return elementwise.maximum(this, other);
  }
  minimum(other: TensorLike): Tensor {
    return elementwise.minimum(this, other);
  }
  neg(): Tensor {
    return elementwise.neg(this);
  }
  exp(): Tensor {
    return elementwise.exp(this);
  }
  log(): Tensor {
    return elementwise.log(this);
  }
  /** Base-10 logarithm, as ln x / ln 10. */
  log10(): Tensor {
    return elementwise.div(elementwise.log(this), Math.LN10);
  }
  sqrt(): Tensor {
    return elementwise.sqrt(this);
  }
  abs(): Tensor {
    return elementwise.abs(this);
  }
  sign(): Tensor {
    return elementwise.sign(this);
  }
  square(): Tensor {
    return elementwise.mul(this, this);
  }
  tanh(): Tensor {
    return elementwise.tanh(this);
  }
  sigmoid(): Tensor {
    return elementwise.sigmoid(this);
  }
  relu(): Tensor {
    return elementwise.relu(this);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return elementwise.clamp(this, min ?? -Infinity, max ?? Infinity);
  }
  eq(other: TensorLike): Tensor {
    return elementwise.compare("eq", this, other);
  }
  ne(other: TensorLike): Tensor {
    return elementwise.compare("ne", this, other);
  }
  lt(other: TensorLike): Tensor {
    return elementwise.compare("lt", this, other);
  }
  le(other: TensorLike): Tensor {
    return elementwise.compare("le", this, other);
  }
  gt(other: TensorLike): Tensor {
    return elementwise.compare("gt", this, other);
  }
  ge(other: TensorLike): Tensor {
    return elementwise.compare("ge", this, other);
  }

  // ---- reductions --------------------------------------------------------------------------------
  sum(dim?: number | number[] | null, keepdim = false): Tensor {
    return reduce.sum(this, dim, keepdim);
  }
  mean(dim?: number | number[] | null, keepdim = false): Tensor {
    return reduce.mean(this, dim, keepdim);
  }
  /** Largest value overall, or along `dim` (values only; use `argmax(dim)` for the indices). */
  max(dim?: number | null, keepdim = false): Tensor {
    return reduce.extreme("max", this, dim, keepdim);
  }
  min(dim?: number | null, keepdim = false): Tensor {
    return reduce.extreme("min", this, dim, keepdim);
  }
  argmax(dim?: number | null, keepdim = false): Tensor {
    return reduce.argExtreme("argmax", this, dim, keepdim);
  }
  argmin(dim?: number | null, keepdim = false): Tensor {
    return reduce.argExtreme("argmin", this, dim, keepdim);
  }
  /** Variance with Bessel's correction by default (`unbiased = true`), as PyTorch. */
  var(dim?: number | number[] | null, options: { unbiased?: boolean; keepdim?: boolean } = {}): Tensor {
    return reduce.variance(this, dim, options.unbiased ?? true, options.keepdim ?? false);
  }
  std(dim?: number | number[] | null, options: { unbiased?: boolean; keepdim?: boolean } = {}): Tensor {
    return reduce.variance(this, dim, options.unbiased ?? true, options.keepdim ?? false).sqrt();
  }

  // ---- shape -------------------------------------------------------------------------------------
  /** Same storage, new shape (one size may be -1). */
  view(...shape: number[] | [number[]]): Tensor {
    return movement.reshape(this, flattenArgs(shape));
  }
  reshape(...shape: number[] | [number[]]): Tensor {
    return movement.reshape(this, flattenArgs(shape));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return movement.flatten(this, startDim, endDim);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return movement.transpose(this, dim0, dim1);
  }
  /** The transpose of a matrix (2-D) tensor. */
  t(): Tensor {
    if (this.ndim > 2) throw new RangeError(`t() expects a tensor with <= 2 dimensions, but it has shape ${formatShape(this.shape)}`);
    return this.ndim < 2 ? this : movement.transpose(this, 0, 1);
  }
  permute(...dims: number[] | [number[]]): Tensor {
    return movement.permute(this, flattenArgs(dims));
  }
  squeeze(dim?: number): Tensor {
    return movement.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return movement.unsqueeze(this, dim);
  }
  /** Repeats size-1 dimensions to `shape` (-1 keeps a size). Copies, unlike PyTorch's view. */
  expand(...shape: number[] | [number[]]): Tensor {
    return movement.expand(this, flattenArgs(shape));
  }
  /** `length` entries along `dim` starting at `start`. */
  narrow(dim: number, start: number, length: number): Tensor {
    return movement.narrow(this, dim, start, length);
  }
  /** Rows selected by integer indices, as PyTorch's `C[X]` (any index shape). */
  index(indices: Tensor | number[]): Tensor {
    return movement.indexRows(this, indices);
  }
  matmul(other: Tensor): Tensor {
    return linalg.matmul(this, other);
  }

  // ---- in-place (used by optimizers; not recorded by autograd) ------------------------------------
  add_(other: TensorLike, alpha = 1): this {
    return inplace.add_(this, other, alpha);
  }
  sub_(other: TensorLike, alpha = 1): this {
    return inplace.add_(this, other, -alpha);
  }
  mul_(other: TensorLike): this {
    return inplace.binary_("mul", this, other);
  }
  div_(other: TensorLike): this {
    return inplace.binary_("div", this, other);
  }
  pow_(exponent: TensorLike): this {
    return inplace.binary_("pow", this, exponent);
  }
  maximum_(other: TensorLike): this {
    return inplace.binary_("maximum", this, other);
  }
  minimum_(other: TensorLike): this {
    return inplace.binary_("minimum", this, other);
  }
  /** this += value · t1 · t2 */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    return inplace.addcmul_(this, t1, t2, value);
  }
  /** this += value · t1 / t2 */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    return inplace.addcdiv_(this, t1, t2, value);
  }
  /** this += weight · (end - this) */
  lerp_(end: Tensor, weight: number): this {
    return inplace.lerp_(this, end, weight);
  }
  sqrt_(): this {
    return inplace.unary_("sqrt", this);
  }
  neg_(): this {
    return inplace.unary_("neg", this);
  }
  sign_(): this {
    return inplace.unary_("sign", this);
  }
  clamp_(min?: number | null, max?: number | null): this {
    return inplace.clamp_(this, min ?? -Infinity, max ?? Infinity);
  }
  copy_(src: Tensor): this {
    return inplace.copy_(this, src);
  }
  zero_(): this {
    return inplace.fill_(this, 0);
  }
  fill_(value: number): this {
    return inplace.fill_(this, value);
  }
  /** this[i] = value where mask[i] is non-zero (PyTorch's `masked_fill_`). */
  maskedFill_(mask: Tensor, value: number): this {
    return inplace.maskedFill_(this, mask, value);
  }
}

/** alpha · other, for `add(other, alpha)` / `sub(other, alpha)`. */
function scaled(other: TensorLike, alpha: number | undefined): TensorLike {
  if (alpha === undefined || alpha === 1) return other;
  return typeof other === "number" ? other * alpha : elementwise.mul(other, alpha);
}

/** Accepts both `view(2, 3)` and `view([2, 3])`. */
function flattenArgs(args: number[] | [number[]]): number[] {
  return Array.isArray(args[0]) ? [...(args[0] as number[])] : (args as number[]);
}
