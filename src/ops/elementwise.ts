/**
 * Element-wise ops with broadcasting, each with its derivative beside it.
 *
 * Broadcasting happens here, in the front end: the backend's `binary` kernel only sees an output
 * shape and two stride lists (stride 0 repeats an element). On the way back, a gradient that was
 * broadcast is summed over the broadcast axes (`sumTo`) so it has its input's shape again.
 */
import { record } from "../autograd.js";
import type { BinaryOp, UnaryOp } from "../backend/backend.js";
import { checkIntegerValue, type DType, isFloating, promoteTypes, scalarDType } from "../dtype.js";
import { broadcastShapes, broadcastStrides } from "../shape.js";
import { Tensor, type TensorLike } from "../tensor.js";
import { denseStorage } from "./movement.js";
import { sumTo } from "./reduce.js";

/**
 * A JS number becomes a 0-d tensor of the other operand's dtype, so `x.mul(0.9)` on float32
 * computes in float32 as PyTorch does. A fraction next to an integer or bool tensor is float32, an
 * integer next to a bool tensor int64 (`scalarDType`: PyTorch's rule for Python scalars).
 */
export function asTensor(value: TensorLike, like: Tensor): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value !== "number") throw new TypeError(`expected a Tensor or a number, got ${String(value)}`);
  const dtype = scalarDType(like.dtype, value);
  checkIntegerValue(dtype, value);
  return new Tensor(like.backend.fromArray(dtype, [value]), [], like.backend);
}

export function assertSameBackend(a: Tensor, b: Tensor): void {
  if (a.backend !== b.backend) {
    throw new Error(
      `tensors live on different backends ("${a.backend.name}" and "${b.backend.name}"); create both after the same setBackend()`,
    );
  }
}

/** The storage of `t` in `dtype`, converting only when needed. */
function storageAs(t: Tensor, dtype: DType) {
  if (t.dtype === dtype) return t.storage;
  const converted = t.backend.allocUninitialized(dtype, t.numel());
  t.backend.cast(converted, t.storage);
  return converted;
}

/**
 * Forward of a broadcasting binary kernel: the output tensor, not yet recorded. Comparisons write
 * 0/1 in `dtype`. Bool arithmetic runs in int32 and converts back (true + true is true).
 */
function binaryForward(op: BinaryOp, a: Tensor, b: Tensor, dtype: DType): Tensor {
  assertSameBackend(a, b);
  if (dtype === "bool" && op === "add") return castReleasing(binaryForward(op, a, b, "int32"), "bool");
  const shape = broadcastShapes(a.shape, b.shape);
  const out = Tensor.uninitialized(shape, dtype, a.backend);
  a.backend.binary(
    op,
    out.storage,
    storageAs(a, dtype),
    broadcastStrides(a.shape, shape),
    storageAs(b, dtype),
    broadcastStrides(b.shape, shape),
    shape,
  );
  return out;
}

/** Both operands as tensors (at least one already is). */
function operands(a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (a instanceof Tensor) return [a, asTensor(b, a)];
  if (b instanceof Tensor) return [asTensor(a, b), b];
  throw new TypeError("at least one operand must be a Tensor");
}

export function add(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = operands(x, y);
  const out = binaryForward("add", a, b, promoteTypes(a.dtype, b.dtype));
  return record(out, "add", [a, b], (g) => [sumTo(g, a.shape), sumTo(g, b.shape)]);
}

export function sub(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = operands(x, y);
  if (a.dtype === "bool" && b.dtype === "bool") {
    throw new TypeError(
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use logicalXor() instead.",
    );
  }
  const out = binaryForward("sub", a, b, promoteTypes(a.dtype, b.dtype));
  return record(out, "sub", [a, b], (g) => [sumTo(g, a.shape), sumTo(neg(g), b.shape)]);
}

export function mul(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = operands(x, y);
  const out = binaryForward("mul", a, b, promoteTypes(a.dtype, b.dtype));
  // d(ab)/da = b, d(ab)/db = a
  return record(out, "mul", [a, b], (g) => [sumTo(mul(g, b), a.shape), sumTo(mul(g, a), b.shape)], [a, b]);
}

/** True division: integers and bools divide as float32, as in PyTorch. */
export function div(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = operands(x, y);
  const promoted = promoteTypes(a.dtype, b.dtype);
  const dtype = isFloating(promoted) ? promoted : "float32";
  const out = binaryForward("div", a, b, dtype);
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b²
  return record(
    out,
    "div",
    [a, b],
    (g) => [sumTo(div(g, b), a.shape), b.requiresGrad ? sumTo(neg(div(mul(g, out), b)), b.shape) : null],
    [b, out],
  );
}

export function pow(x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = operands(x, y);
  const out = binaryForward("pow", a, b, promoteTypes(a.dtype, b.dtype));
  // d(a^b)/da = b·a^(b-1), d(a^b)/db = a^b · ln a. At a zero base these are 0·∞ = NaN where PyTorch
  // takes the limit 0: d/da where b = 0 (a⁰ is constant), d/db where a = 0 and b ≥ 0
  return record(
    out,
    "pow",
    [a, b],
    (g) => [
      a.requiresGrad ? sumTo(where(compare("eq", b, 0), 0, mul(g, mul(b, pow(a, sub(b, 1))))), a.shape) : null,
      b.requiresGrad
        ? sumTo(where(mul(compare("eq", a, 0), compare("ge", b, 0)), 0, mul(g, mul(out, log(a)))), b.shape)
        : null,
    ],
    [a, b, out],
  );
}

/** PyTorch's rule for max/min of two tensors: the larger input gets the gradient, ties split it. */
function extremeOfTwo(op: "maximum" | "minimum", x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = operands(x, y);
  const out = binaryForward(op, a, b, promoteTypes(a.dtype, b.dtype));
  return record(
    out,
    op,
    [a, b],
    (g) => {
      const tie = compare("eq", a, b);
      const aWins = compare(op === "maximum" ? "gt" : "lt", a, b);
      const share = (wins: Tensor) => mul(g, add(wins, mul(tie, 0.5)));
      return [sumTo(share(aWins), a.shape), sumTo(share(sub(sub(1, aWins), tie)), b.shape)];
    },
    [a, b],
  );
}
export const maximum = (a: TensorLike, b: TensorLike): Tensor => extremeOfTwo("maximum", a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => extremeOfTwo("minimum", a, b);

/** Comparisons compare in the operands' common dtype and return bool; they have no gradient. */
export function compare(op: "eq" | "ne" | "lt" | "le" | "gt" | "ge", x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = operands(x, y);
  return castReleasing(binaryForward(op, a, b, promoteTypes(a.dtype, b.dtype)), "bool");
}

/** `t` (an intermediate nobody else holds) converted to `dtype`, its own storage freed. */
function castReleasing(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = Tensor.empty(t.shape, dtype, t.backend);
  t.backend.cast(out.storage, t.storage);
  t.backend.free(t.storage, "(an intermediate of a comparison)");
  return out;
}

/** PyTorch's logical ops: bool results, any non-zero input counting as true. */
export const logicalNot = (a: Tensor): Tensor => compare("eq", a, 0);
export const logicalAnd = (a: Tensor, b: Tensor): Tensor => mul(cast(a, "bool"), cast(b, "bool"));
export const logicalOr = (a: Tensor, b: Tensor): Tensor => add(cast(a, "bool"), cast(b, "bool"));
export const logicalXor = (a: Tensor, b: Tensor): Tensor => compare("ne", cast(a, "bool"), cast(b, "bool"));

// ---- unary ----------------------------------------------------------------------------------------

function unaryForward(op: UnaryOp, a: Tensor): Tensor {
  const out = Tensor.uninitialized(a.shape, a.dtype, a.backend);
  a.backend.unary(op, out.storage, a.storage);
  return out;
}

function floatOnly(name: string, a: Tensor): void {
  if (!isFloating(a.dtype))
    throw new TypeError(`${name}() needs a floating point tensor, got ${a.dtype}; convert with .float()`);
}

export function neg(a: Tensor): Tensor {
  if (a.dtype === "bool") {
    throw new TypeError(
      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use logicalNot() instead.",
    );
  }
  return record(unaryForward("neg", a), "neg", [a], (g) => [neg(g)]);
}

export function abs(a: Tensor): Tensor {
  return record(unaryForward("abs", a), "abs", [a], (g) => [mul(g, sign(a))], [a]);
}

/** sign has derivative 0 everywhere it has one. */
export function sign(a: Tensor): Tensor {
  return record(unaryForward("sign", a), "sign", [a], (g) => [mul(g, 0)]);
}

export function exp(a: Tensor): Tensor {
  floatOnly("exp", a);
  const out = unaryForward("exp", a);
  return record(out, "exp", [a], (g) => [mul(g, out)], [out]);
}

export function log(a: Tensor): Tensor {
  floatOnly("log", a);
  return record(unaryForward("log", a), "log", [a], (g) => [div(g, a)], [a]);
}

export function sqrt(a: Tensor): Tensor {
  floatOnly("sqrt", a);
  const out = unaryForward("sqrt", a);
  // d√a/da = 1 / (2√a)
  return record(out, "sqrt", [a], (g) => [div(g, mul(out, 2))], [out]);
}

export function tanh(a: Tensor): Tensor {
  floatOnly("tanh", a);
  const out = unaryForward("tanh", a);
  // d tanh a / da = 1 - tanh² a
  return record(out, "tanh", [a], (g) => [mul(g, sub(1, mul(out, out)))], [out]);
}

export function sigmoid(a: Tensor): Tensor {
  floatOnly("sigmoid", a);
  const out = unaryForward("sigmoid", a);
  // dσ/da = σ (1 - σ)
  return record(out, "sigmoid", [a], (g) => [mul(g, mul(out, sub(1, out)))], [out]);
}

export function relu(a: Tensor): Tensor {
  const out = unaryForward("relu", a);
  // the gradient passes where a > 0, i.e. where relu(a) > 0: sign(relu(a)) is that mask as 0/1 in
  // a's dtype (NaN gives 0), two kernels where a comparison, a cast to bool and back would take five
  return record(out, "relu", [a], (g) => [mul(g, unaryForward("sign", out))], [out]);
}

/** Limits values to [lo, hi]; the gradient passes where lo ≤ a ≤ hi, as in PyTorch. */
export function clamp(a: Tensor, lo: number, hi: number): Tensor {
  const out = Tensor.uninitialized(a.shape, a.dtype, a.backend);
  a.backend.clamp(out.storage, a.storage, lo, hi);
  return record(out, "clamp", [a], (g) => [mul(g, mul(compare("ge", a, lo), compare("le", a, hi)))], [a]);
}

/** Converts to `dtype`; the gradient is converted back. Returns `a` itself if nothing changes. */
export function cast(a: Tensor, dtype: DType): Tensor {
  if (a.dtype === dtype) return a;
  const out = Tensor.uninitialized(a.shape, dtype, a.backend);
  a.backend.cast(out.storage, a.storage);
  if (!isFloating(dtype)) return out;
  return record(out, "cast", [a], (g) => [cast(g, a.dtype)]);
}

/** where(cond, a, b): a where cond is non-zero, else b; all three broadcast together. */
export function where(cond: Tensor, x: TensorLike, y: TensorLike): Tensor {
  const [a, b] = operands(x, y);
  const dtype = promoteTypes(a.dtype, b.dtype);
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape), b.shape);
  const out = Tensor.uninitialized(shape, dtype, a.backend);
  a.backend.where(
    out.storage,
    denseStorage(cond, shape, dtype),
    denseStorage(a, shape, dtype),
    denseStorage(b, shape, dtype),
  );
  return record(out, "where", [a, b], (g) => {
    const mask = cast(compare("ne", cond, 0), g.dtype);
    return [sumTo(mul(g, mask), a.shape), sumTo(mul(g, sub(1, mask)), b.shape)];
  });
}
