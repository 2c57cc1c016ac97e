/**
 * In-place ops: the vocabulary optimizers are written in (`mul_`, `add_`, `addcmul_`, `addcdiv_`,
 * `lerp_`, ...). Each is one backend kernel writing into the tensor's own storage, so an optimizer
 * step allocates nothing it does not need.
 *
 * They are not recorded by autograd. As in PyTorch, changing a leaf that requires grad is an error
 * while the graph is being recorded: optimizers run their updates inside `noGrad`.
 */
import { bumpVersion, isGradEnabled } from "../autograd.js";
import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { isFloating, promoteTypes } from "../dtype.js";
import { broadcastShapes, contiguousStrides, formatShape, sameShape } from "../shape.js";
import { Tensor, type TensorLike } from "../tensor.js";
import { asTensor, assertSameBackend } from "./elementwise.js";
import { denseStorage } from "./movement.js";

/** Refuses what PyTorch refuses, then bumps the version counter of the storage about to be written. */
function guard(self: Tensor, name: string, ...others: TensorLike[]): void {
  if (isGradEnabled()) {
    if (self.requiresGrad && self.isLeaf) {
      throw new Error(
        `${name}: a leaf tensor that requires grad is being used in an in-place operation; run it inside noGrad()`,
      );
    }
    if (self.requiresGrad || others.some((o) => o instanceof Tensor && o.requiresGrad)) {
      throw new Error(
        `${name}: in-place operations are not recorded by autograd; use the out-of-place op or run it inside noGrad()`,
      );
    }
  }
  bumpVersion(self);
}

/** `other` as a dense storage of self's shape and dtype, with PyTorch's errors when it cannot be. */
function operandFor(self: Tensor, other: TensorLike, name: string) {
  const t = asTensor(other, self);
  assertSameBackend(self, t);
  if (promoteTypes(self.dtype, t.dtype) !== self.dtype && !(typeof other === "number")) {
    throw new TypeError(`${name}: result type ${t.dtype} can't be cast to the desired output type ${self.dtype}`);
  }
  const shape = broadcastShapes(self.shape, t.shape);
  if (!sameShape(shape, self.shape)) {
    throw new RangeError(
      `${name}: output with shape ${formatShape(self.shape)} doesn't match the broadcast shape ${formatShape(shape)}`,
    );
  }
  return denseStorage(t, self.shape, self.dtype);
}

/**
 * A scalar argument such as `alpha`, checked as PyTorch's argument parser does: left out, it is
 * `fallback`; given, it must be a number (`p.add_(g, undefined)` or a Tensor as `alpha` would
 * otherwise add with 1 or NaN without a word).
 */
function scalarArgument(name: string, argument: string, given: readonly unknown[], fallback: number): number {
  if (given.length === 0) return fallback;
  const value = given[0];
  if (typeof value === "number") return value;
  const shown = value instanceof Tensor ? "Tensor" : value === null ? "null" : typeof value;
  throw new TypeError(`${name}(): argument '${argument}' must be a number, not ${shown}`);
}

/** self += alpha · other (alpha 1 when left out) */
export function add_<T extends Tensor>(self: T, other: TensorLike, ...rest: [alpha?: number]): T {
  const alpha = scalarArgument("add_", "alpha", rest, 1);
  if (typeof other !== "number" && !(other instanceof Tensor)) {
    throw new TypeError(
      `add_(): argument 'other' must be a Tensor or a number, not ${other === null ? "null" : typeof other}`,
    );
  }
  guard(self, "add_", other);
  if (typeof other === "number") {
    const b = asTensor(other * alpha, self);
    self.backend.binary(
      "add",
      self.storage,
      self.storage,
      contiguousStrides(self.shape),
      b.storage,
      self.shape.map(() => 0),
      self.shape,
    );
  } else {
    self.backend.addScaled(self.storage, self.storage, operandFor(self, other, "add_"), alpha);
  }
  return self;
}

/** self -= alpha · other (alpha 1 when left out) */
export function sub_<T extends Tensor>(self: T, other: TensorLike, ...rest: [alpha?: number]): T {
  return add_(self, other, -scalarArgument("sub_", "alpha", rest, 1));
}

/** self = self ∘ other for a broadcasting binary op (mul_, div_, pow_, maximum_, ...). */
export function binary_<T extends Tensor>(op: BinaryOp, self: T, other: TensorLike): T {
  guard(self, `${op}_`, other);
  if (op === "div" && !isFloating(self.dtype)) {
    throw new TypeError(`div_: result type float32 can't be cast to the desired output type ${self.dtype}`);
  }
  const s = contiguousStrides(self.shape);
  if (typeof other === "number") {
    // a scalar is read through stride 0 (as add_ does), not first copied out to self's size
    const scalar = denseStorage(asTensor(other, self), [], self.dtype);
    self.backend.binary(
      op,
      self.storage,
      self.storage,
      s,
      scalar,
      self.shape.map(() => 0),
      self.shape,
    );
  } else {
    self.backend.binary(op, self.storage, self.storage, s, operandFor(self, other, `${op}_`), s, self.shape);
  }
  return self;
}

export function unary_<T extends Tensor>(op: UnaryOp, self: T): T {
  guard(self, `${op}_`);
  self.backend.unary(op, self.storage, self.storage);
  return self;
}

/** self += value · t1 · t2 */
export function addcmul_<T extends Tensor>(self: T, t1: Tensor, t2: Tensor, value: number): T {
  scalarArgument("addcmul_", "value", [value], 1);
  guard(self, "addcmul_", t1, t2);
  self.backend.addcmul(
    self.storage,
    self.storage,
    operandFor(self, t1, "addcmul_"),
    operandFor(self, t2, "addcmul_"),
    value,
  );
  return self;
}

/** self += value · t1 / t2 */
export function addcdiv_<T extends Tensor>(self: T, t1: Tensor, t2: Tensor, value: number): T {
  scalarArgument("addcdiv_", "value", [value], 1);
  guard(self, "addcdiv_", t1, t2);
  self.backend.addcdiv(
    self.storage,
    self.storage,
    operandFor(self, t1, "addcdiv_"),
    operandFor(self, t2, "addcdiv_"),
    value,
  );
  return self;
}

/** self += weight · (end - self) */
export function lerp_<T extends Tensor>(self: T, end: Tensor, weight: number): T {
  guard(self, "lerp_", end);
  self.backend.lerp(self.storage, self.storage, operandFor(self, end, "lerp_"), weight);
  return self;
}

export function clamp_<T extends Tensor>(self: T, lo: number, hi: number): T {
  guard(self, "clamp_");
  self.backend.clamp(self.storage, self.storage, lo, hi);
  return self;
}

/** Copies `src` (broadcast and converted as needed) into self. */
export function copy_<T extends Tensor>(self: T, src: Tensor): T {
  guard(self, "copy_", src);
  assertSameBackend(self, src);
  const shape = broadcastShapes(self.shape, src.shape);
  if (!sameShape(shape, self.shape)) {
    throw new RangeError(
      `copy_: source of shape ${formatShape(src.shape)} cannot be broadcast to the destination's shape ${formatShape(self.shape)}`,
    );
  }
  const dense = denseStorage(src, self.shape, self.dtype);
  if (dense !== self.storage) self.backend.cast(self.storage, dense);
  return self;
}

export function fill_<T extends Tensor>(self: T, value: number): T {
  guard(self, "fill_");
  self.backend.fill(self.storage, value);
  return self;
}

/** self[i] = value where mask[i] ≠ 0. */
export function maskedFill_<T extends Tensor>(self: T, mask: Tensor, value: number): T {
  guard(self, "maskedFill_");
  const filler = self.backend.allocUninitialized(self.dtype, self.numel());
  self.backend.fill(filler, value);
  self.backend.where(self.storage, operandFor(self, mask.to(self.dtype), "maskedFill_"), filler, self.storage);
  return self;
}
