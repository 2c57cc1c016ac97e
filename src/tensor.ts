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
import { type GradFn, isCreatedGradient, runBackward } from "./autograd.js";
import { checkOptions } from "./options.js";
import type { Backend, Storage } from "./backend/backend.js";
import { activeBackend } from "./backend/index.js";
import { assertDType, type DType, type TypedArray, isFloating } from "./dtype.js";
import { formatShape, normalizeDim, numelOf, sameShape, type Shape } from "./shape.js";
import { tensorToString } from "./tensor_str.js";
import * as elementwise from "./ops/elementwise.js";
import * as reduce from "./ops/reduce.js";
import * as movement from "./ops/movement.js";
import * as linalg from "./ops/matmul.js";
import * as inplace from "./ops/inplace.js";
import * as indexing from "./ops/indexing.js";
import * as scan from "./ops/scan.js";
import * as sorting from "./ops/sort.js";
import type { ValuesIndices } from "./ops/sort.js";
import * as sampling from "./sampling.js";
import type { Generator } from "./random.js";
import { logSoftmax, softmax } from "./ops/softmax.js";

/** A gradient hook: return nothing to observe the gradient, or a tensor to replace it. */
export type GradHook = (grad: Tensor) => Tensor | void | undefined | null;

/** Nested arrays of numbers (booleans for a bool tensor), as `tolist()` returns them. */
export type NestedList = number | boolean | NestedList[];

export type TensorLike = Tensor | number;

/** Options of `Tensor.backward`, as PyTorch's `retain_graph`. */
export interface BackwardOptions {
  /** Keep the graph so that backward can run through it again. Default false. */
  retainGraph?: boolean;
}

const GRADIENT_REPLACED =
  "(it was a .grad that backward created, and .grad was then set to null or replaced, e.g. by zeroGrad(); clone() a gradient to keep it)";

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
      throw new RangeError(
        `a tensor of shape ${formatShape(shape)} needs ${numelOf(shape)} elements, storage has ${storage.length}`,
      );
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
    return this.shape[normalizeDim(dim, this.ndim)];
  }
  /** True for tensors created by the user rather than computed by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  // ---- reading values ----------------------------------------------------------------------------
  /** The value of a one-element tensor as a JS number (a bool tensor gives 1 or 0). */
  item(): number {
    if (this.numel() !== 1) {
      throw new RangeError(
        `item(): a tensor with ${this.numel()} elements (shape ${formatShape(this.shape)}) cannot be converted to a number`,
      );
    }
    return this.backend.read(this.storage)[0];
  }
  /** A typed-array copy of the elements in row-major order. */
  toArray(): TypedArray {
    return this.backend.read(this.storage);
  }
  /** The elements as nested arrays (a number for a 0-d tensor; booleans for a bool tensor). */
  tolist(): NestedList {
    const data = this.toArray();
    const isBool = this.dtype === "bool";
    const build = (dim: number, offset: number): NestedList => {
      if (dim === this.ndim) return isBool ? data[offset] !== 0 : data[offset];
      const stride = numelOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }
  /** The nested list, so `JSON.stringify(model.stateDict())` writes the weights (as `tolist()`). */
  toJSON(): NestedList {
    return this.tolist();
  }
  /** PyTorch's `repr`: `tensor([[0.1000, 0.2000]], requires_grad=True)` (see tensor_str.ts). */
  toString(): string {
    const text = tensorToString(this);
    return this.constructor.name === "Parameter" ? `Parameter containing:\n${text}` : text;
  }
  /** What `console.log(t)` prints in Node (the symbol is global, so no node import is needed). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  // ---- autograd ----------------------------------------------------------------------------------
  /** ∂L/∂this after `L.backward()`, accumulated over calls; assignable (shapes must match), or null. */
  get grad(): Tensor | null {
    return this.gradient;
  }
  /**
   * Assigning `.grad` (null, or another tensor) frees the gradient backward created here before:
   * it belongs to this tensor (see "Tensor lifetimes" in the README; clone() a gradient to keep it).
   */
  set grad(value: Tensor | null) {
    if (value !== null && !sameShape(value.shape, this.shape)) {
      throw new RangeError(
        `assigned grad has shape ${formatShape(value.shape)} but the tensor has shape ${formatShape(this.shape)}`,
      );
    }
    const previous = this.gradient;
    this.gradient = value;
    if (previous !== null && previous !== value && isCreatedGradient(previous) && previous.storage !== value?.storage) {
      previous.backend.free(previous.storage, GRADIENT_REPLACED);
    }
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
   * shape needs the upstream gradient `grad`, as in PyTorch. The graph is released afterwards unless
   * `retainGraph` is set: `backward(grad?, { retainGraph: true })` or `backward({ retainGraph: true })`.
   */
  backward(grad?: Tensor | BackwardOptions, options?: BackwardOptions): void {
    if (grad !== undefined && !(grad instanceof Tensor)) {
      if (options !== undefined)
        throw new TypeError(
          "backward(options, options): pass backward(grad, { retainGraph }) or backward({ retainGraph })",
        );
      options = grad;
      grad = undefined;
    }
    const { retainGraph = false } = checkOptions("backward()", options, ["retainGraph"]);
    if (!this.requiresGrad) {
      throw new Error("backward(): this tensor does not require grad and has no gradFn; nothing to differentiate");
    }
    if (grad === undefined) {
      if (this.numel() !== 1) {
        throw new RangeError(
          `backward(): grad can be implicitly created only for scalar outputs, but this tensor has shape ${formatShape(this.shape)}; pass the upstream gradient`,
        );
      }
      runBackward(this, () => Tensor.empty(this.shape, this.dtype, this.backend).fill_(1), retainGraph);
      return;
    }
    if (!sameShape(grad.shape, this.shape)) {
      throw new RangeError(
        `backward(): gradient has shape ${formatShape(grad.shape)} but the tensor has shape ${formatShape(this.shape)}`,
      );
    }
    runBackward(this, grad, retainGraph);
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
  /**
   * A copy converted to `dtype` (this tensor itself if it already has that dtype). To an integer
   * type values truncate toward zero; to bool, non-zero (and NaN) is true.
   */
  to(dtype: DType): Tensor {
    return elementwise.cast(this, assertDType(dtype));
  }
  float(): Tensor {
    return this.to("float32");
  }
  double(): Tensor {
    return this.to("float64");
  }
  long(): Tensor {
    return this.to("int64");
  }
  int(): Tensor {
    return this.to("int32");
  }
  bool(): Tensor {
    return this.to("bool");
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
  /** Limits values to [min, max]; either bound may be a number, a tensor (broadcast) or null. */
  clamp(min?: TensorLike | null, max?: TensorLike | null): Tensor {
    if (min instanceof Tensor || max instanceof Tensor) return scan.clampTensor(this, min ?? null, max ?? null);
    return elementwise.clamp(
      this,
      (min as number | null | undefined) ?? -Infinity,
      (max as number | null | undefined) ?? Infinity,
    );
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
  /** Element-wise logic on truth values (non-zero is true); results are bool. */
  logicalNot(): Tensor {
    return elementwise.logicalNot(this);
  }
  logicalAnd(other: Tensor): Tensor {
    return elementwise.logicalAnd(this, other);
  }
  logicalOr(other: Tensor): Tensor {
    return elementwise.logicalOr(this, other);
  }
  logicalXor(other: Tensor): Tensor {
    return elementwise.logicalXor(this, other);
  }

  // ---- reductions --------------------------------------------------------------------------------
  sum(dim?: number | number[] | null, keepdim = false): Tensor {
    return reduce.sum(this, dim, keepdim);
  }
  mean(dim?: number | number[] | null, keepdim = false): Tensor {
    return reduce.mean(this, dim, keepdim);
  }
  /**
   * `max()`: the largest value (0-d). `max(dim, keepdim?)`: `{ values, indices }` along `dim`, as
   * PyTorch's `torch.max(x, dim)`. `max(other)`: the element-wise maximum. (`amax(dim)` gives the
   * values alone.)
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor | null, keepdim = false): Tensor | ValuesIndices {
    if (dim instanceof Tensor) return elementwise.maximum(this, dim);
    if (dim === undefined || dim === null) return reduce.extreme("max", this, null, false);
    return sorting.extremeWithIndices("max", this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor | null, keepdim = false): Tensor | ValuesIndices {
    if (dim instanceof Tensor) return elementwise.minimum(this, dim);
    if (dim === undefined || dim === null) return reduce.extreme("min", this, null, false);
    return sorting.extremeWithIndices("min", this, dim, keepdim);
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
    if (this.ndim > 2)
      throw new RangeError(`t() expects a tensor with <= 2 dimensions, but it has shape ${formatShape(this.shape)}`);
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
  /**
   * PyTorch's `x[idx]`: rows selected by integer indices (an int64/int32 tensor or an array of any
   * shape, as `C[X]`), or, given a bool tensor or nested arrays of booleans over the leading
   * dimensions, the rows where they are true (`x[mask]`).
   */
  index(indices: Tensor | number[] | boolean[] | boolean[][]): Tensor {
    if (indices instanceof Tensor && indices.dtype === "bool") return indexing.rowsWhere(this, indices);
    if (Array.isArray(indices) && typeof (indices as unknown[]).flat(Infinity as 1)[0] === "boolean") {
      return indexing.rowsWhere(this, indices as boolean[]);
    }
    return movement.indexRows(this, indices as Tensor | number[]);
  }
  matmul(other: Tensor): Tensor {
    return linalg.matmul(this, other);
  }

  // ---- in-place (used by optimizers; not recorded by autograd) ------------------------------------
  // `alpha` as a rest element, so that an explicit `undefined` is an error rather than 1
  add_(other: TensorLike, ...alpha: [alpha?: number]): this {
    return inplace.add_(this, other, ...alpha);
  }
  sub_(other: TensorLike, ...alpha: [alpha?: number]): this {
    return inplace.sub_(this, other, ...alpha);
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
  /** this[i] = value where mask[i] is true (PyTorch's `masked_fill_`; non-zero counts as true). */
  maskedFill_(mask: Tensor, value: number): this {
    return inplace.maskedFill_(this, mask, value);
  }

  // ==== the porting surface: PyTorch's indexing, scans and sorting (src/ops/indexing.ts, scan.ts, sort.ts) ====
  /** `x[..., i, ...]` along `dim`: that dimension disappears. */
  select(dim: number, i: number): Tensor {
    return indexing.select(this, dim, i);
  }
  /** `x[i]`, `x[i, j]`, …: integer indices of the leading dimensions (negative count from the end). */
  get(...indices: number[]): Tensor {
    let out: Tensor = this;
    for (const i of indices) out = indexing.select(out, 0, i);
    return out;
  }
  /** Python's `x[:, start:end:step]` along `dim` (out-of-range bounds are clamped, as in Python). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
    return indexing.slice(this, dim, start, end, step);
  }
  indexSelect(dim: number, index: Tensor | number[]): Tensor {
    return indexing.indexSelect(this, dim, index);
  }
  gather(dim: number, index: Tensor): Tensor {
    return indexing.gather(this, dim, index);
  }
  scatter(dim: number, index: Tensor, src: TensorLike): Tensor {
    return indexing.scatter(this, dim, index, src);
  }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return indexing.scatterAdd(this, dim, index, src);
  }
  /** The elements where `mask` is true (non-zero), as a 1-D tensor. */
  maskedSelect(mask: Tensor): Tensor {
    return indexing.maskedSelect(this, mask);
  }
  /** A copy with `value` where `mask` is true (non-zero). */
  maskedFill(mask: Tensor, value: TensorLike): Tensor {
    return indexing.maskedFill(this, mask, value);
  }
  /** Elements at flat (row-major) positions, as `torch.take`; negative positions count from the end. */
  take(index: Tensor | number[]): Tensor {
    const positions = Array.from(index instanceof Tensor ? index.toArray() : index, (v) => {
      if (!Number.isInteger(v) || v < -this.numel() || v >= this.numel()) {
        throw new RangeError(`take(): index ${v} out of range for tensor of size ${formatShape(this.shape)}.`);
      }
      return v < 0 ? v + this.numel() : v;
    });
    return indexing.take(this, positions, index instanceof Tensor ? index.shape : [positions.length]);
  }
  flip(...dims: number[] | [number[]]): Tensor {
    return indexing.flip(this, flattenArgs(dims));
  }
  tril(diagonal = 0): Tensor {
    return indexing.tril(this, diagonal);
  }
  triu(diagonal = 0): Tensor {
    return indexing.triu(this, diagonal);
  }
  /** Tiles the tensor `sizes[i]` times along each dimension (copies, as PyTorch's repeat). */
  repeat(...sizes: number[] | [number[]]): Tensor {
    return indexing.repeat(this, flattenArgs(sizes));
  }
  split(splitSize: number | number[], dim = 0): Tensor[] {
    return indexing.split(this, splitSize, dim);
  }
  chunk(chunks: number, dim = 0): Tensor[] {
    return indexing.chunk(this, chunks, dim);
  }
  /** All dimensions reversed (PyTorch's `x.T`). */
  get T(): Tensor {
    return movement.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  }
  /** The last two dimensions swapped (PyTorch's `x.mT`). */
  get mT(): Tensor {
    if (this.ndim < 2)
      throw new RangeError(
        `tensor.mT is only supported on matrices or batches of matrices. Got ${this.ndim}-D tensor.`,
      );
    return movement.transpose(this, -2, -1);
  }
  softmax(dim: number): Tensor {
    return softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return logSoftmax(this, dim);
  }
  cumsum(dim: number): Tensor {
    return scan.cumsum(this, dim);
  }
  cumprod(dim: number): Tensor {
    return scan.cumprod(this, dim);
  }
  prod(dim?: number | null, keepdim = false): Tensor {
    return scan.prod(this, dim, keepdim);
  }
  /** Largest values (no indices), gradient shared among ties: PyTorch's `amax`. */
  amax(dim?: number | null, keepdim = false): Tensor {
    return scan.amax(this, dim, keepdim);
  }
  amin(dim?: number | null, keepdim = false): Tensor {
    return scan.amin(this, dim, keepdim);
  }
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return scan.logsumexp(this, dim, keepdim);
  }
  /** The p-norm (default 2) of everything or along `dim`; p may be Infinity. */
  norm(p = 2, dim?: number | number[] | null, keepdim = false): Tensor {
    return scan.norm(this, p, dim, keepdim);
  }
  all(dim?: number | null, keepdim = false): Tensor {
    return scan.all(this, dim, keepdim);
  }
  any(dim?: number | null, keepdim = false): Tensor {
    return scan.any(this, dim, keepdim);
  }
  isnan(): Tensor {
    return scan.isnan(this);
  }
  isinf(): Tensor {
    return scan.isinf(this);
  }
  isfinite(): Tensor {
    return scan.isfinite(this);
  }
  /** Sorted values and their int64 indices along `dim` (stable; NaN last). */
  sort(dim = -1, descending = false): ValuesIndices {
    return sorting.sort(this, dim, descending);
  }
  topk(k: number, dim = -1, largest = true): ValuesIndices {
    return sorting.topk(this, k, dim, largest);
  }
  /** Category indices drawn from each row of weights (`torch.multinomial`); int64. */
  multinomial(numSamples: number, options?: sampling.MultinomialOptions): Tensor {
    return sampling.multinomial(this, numSamples, options);
  }
  /** 0/1 draws with this tensor's elements as probabilities (`torch.bernoulli(p)`). */
  bernoulli(options?: { generator?: Generator }): Tensor {
    return sampling.bernoulli(this, options);
  }
  /** Fills with N(mean, std²) draws, in place. */
  normal_(mean = 0, std = 1, options: { generator?: Generator } = {}): this {
    sampling.normal_(this, mean, std, options.generator);
    return this;
  }
  /** Fills with U[from, to) draws, in place. */
  uniform_(from = 0, to = 1, options: { generator?: Generator } = {}): this {
    sampling.uniform_(this, from, to, options.generator);
    return this;
  }
  // ==== end of the porting surface ==============================================================
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
