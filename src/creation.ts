/**
 * Creating tensors: from JS data (`tensor`), constant factories, ranges and random draws.
 * Random factories draw from PyTorch's generator algorithm (see random.ts), so with the same seed
 * `rand`, `randn`, `randint` and `randperm` give PyTorch's numbers.
 */
import type { Backend } from "./backend/backend.js";
import { activeBackend } from "./backend/index.js";
import { allocTypedArray, assertDType, checkIntegerValue, type DType, isFloating, roundToDType } from "./dtype.js";
import { defaultGenerator, type Generator } from "./random.js";
import { assertValidShape, formatShape, numelOf } from "./shape.js";
import { Tensor } from "./tensor.js";

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

/** Nested arrays of numbers or booleans (or a typed array) as accepted by `tensor()`. */
export type TensorData = number | boolean | readonly TensorData[] | ArrayLike<number>;

function finish(t: Tensor, options: TensorOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad_(true);
  return t;
}

/** Where `fromValues` puts the tensor: by default on the active backend; layers pass their input's. */
export interface FromValuesOptions extends TensorOptions {
  backend?: Backend;
}

/**
 * The one tensor factory from flat data: `values` (a typed array or numbers, row-major) read as a
 * tensor of `shape`, converted to `dtype` (default float32). Layers, transforms, collation and init
 * build tensors through this (or `tensor`), so only the core and the backends deal in storage.
 * Integer dtypes check every value (`checkIntegerValue`: PyTorch's overflow error, and the int64
 * store's ±2^31 limit); bool takes x != 0.
 */
export function fromValues(
  values: ArrayLike<number>,
  shape: readonly number[],
  options: FromValuesOptions = {},
): Tensor {
  assertValidShape(shape);
  if (values.length !== numelOf(shape)) {
    throw new RangeError(`fromValues: shape ${formatShape(shape)} is invalid for input of size ${values.length}`);
  }
  const dtype = assertDType(options.dtype ?? "float32");
  if ((dtype === "int32" || dtype === "int64") && !(values instanceof Int32Array)) {
    for (let i = 0; i < values.length; i++) checkIntegerValue(dtype, values[i]);
  }
  const backend = options.backend ?? activeBackend();
  return finish(new Tensor(backend.fromArray(dtype, values), [...shape], backend), options);
}

/** The shape of nested arrays, checking that they are rectangular (PyTorch's message otherwise). */
function inferShape(data: TensorData): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (typeof level !== "number" && typeof level !== "boolean") {
    if (level === null || typeof level !== "object" || !("length" in level)) {
      throw new TypeError(`tensor(): expected numbers, booleans or (nested) arrays of them, found ${String(level)}`);
    }
    const list = level as ArrayLike<unknown>;
    shape.push(list.length);
    if (list.length === 0) break;
    level = list[0];
  }
  return shape;
}

/** Flattens `data` into `out` (booleans as 1/0); returns whether every leaf was a boolean. */
function flattenInto(data: TensorData, shape: readonly number[], dim: number, out: number[]): boolean {
  if (dim === shape.length) {
    if (typeof data === "boolean") {
      out.push(data ? 1 : 0);
      return true;
    }
    if (typeof data !== "number")
      throw new TypeError(
        `tensor(): expected a number at depth ${dim}, found ${Array.isArray(data) ? "an array" : String(data)}`,
      );
    out.push(data);
    return false;
  }
  const list = data as ArrayLike<TensorData>;
  if (typeof data === "number" || typeof data === "boolean" || list.length !== shape[dim]) {
    const got = typeof data === "number" || typeof data === "boolean" ? `a ${typeof data}` : `length ${list.length}`;
    throw new RangeError(
      `tensor(): expected sequence of length ${shape[dim]} at dim ${dim} (got ${got}); nested arrays must be rectangular`,
    );
  }
  let allBool = true;
  for (let i = 0; i < list.length; i++) allBool = flattenInto(list[i], shape, dim + 1, out) && allBool;
  return allBool && list.length > 0;
}

/**
 * A tensor from nested arrays, a number, a boolean, or a typed array (1-D). Booleans give a bool
 * tensor as in PyTorch; numbers give float32 (JavaScript cannot tell `1` from `1.0`, so integer
 * data is not inferred as int64: ask for `dtype: "int64"`). `dtype` overrides either.
 */
export function tensor(data: TensorData | Tensor, options: TensorOptions = {}): Tensor {
  if (data instanceof Tensor) return fromValues(data.toArray(), data.shape, { dtype: data.dtype, ...options });
  if (ArrayBuffer.isView(data))
    return fromValues(data as ArrayLike<number>, [(data as ArrayLike<number>).length], options);
  const shape = inferShape(data);
  const values: number[] = [];
  const allBool = flattenInto(data, shape, 0, values);
  return fromValues(values, shape, allBool ? { dtype: "bool", ...options } : options);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  assertValidShape(shape);
  const dtype = assertDType(options.dtype ?? "float32");
  checkIntegerValue(dtype, value);
  const t = Tensor.empty(shape, dtype);
  t.backend.fill(t.storage, value);
  return finish(t, options);
}
/**
 * A shape given as PyTorch allows: one array (`zeros([2, 3])`) or the sizes themselves
 * (`zeros(2, 3)`), optionally followed by an options object.
 */
export type ShapeArgs<O> =
  [shape: readonly number[], options?: O] | [...sizes: number[]] | [...sizes: number[], options: O];

export function shapeArgs<O extends object>(args: readonly unknown[]): [number[], O] {
  if (Array.isArray(args[0])) return [assertValidShape([...args[0]]), (args[1] ?? {}) as O];
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && typeof last === "object" && last !== null;
  const sizes = hasOptions ? args.slice(0, -1) : [...args];
  return [assertValidShape(sizes), (hasOptions ? last : {}) as O];
}

export const zeros = (...args: ShapeArgs<TensorOptions>): Tensor => full(...withValue(args, 0));
export const ones = (...args: ShapeArgs<TensorOptions>): Tensor => full(...withValue(args, 1));
function withValue(args: readonly unknown[], value: number): [number[], number, TensorOptions] {
  const [shape, options] = shapeArgs<TensorOptions>(args);
  return [shape, value, options];
}
export const zerosLike = (t: Tensor, options: TensorOptions = {}): Tensor =>
  full(t.shape, 0, { dtype: t.dtype, ...options });
export const onesLike = (t: Tensor, options: TensorOptions = {}): Tensor =>
  full(t.shape, 1, { dtype: t.dtype, ...options });
export const fullLike = (t: Tensor, value: number, options: TensorOptions = {}): Tensor =>
  full(t.shape, value, { dtype: t.dtype, ...options });

/** The n×n identity matrix. */
export function eye(n: number, options: TensorOptions = {}): Tensor {
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return fromValues(values, [n, n], options);
}

function randomFloats(
  shape: readonly number[],
  options: RandomOptions,
  fill: (g: Generator, out: Float32Array | Float64Array) => void,
): Tensor {
  assertValidShape(shape);
  const dtype = assertDType(options.dtype ?? "float32");
  if (!isFloating(dtype)) throw new TypeError(`expected a floating point dtype for random floats, got ${dtype}`);
  const values = allocTypedArray(dtype, numelOf(shape)) as Float32Array | Float64Array;
  fill(options.generator ?? defaultGenerator, values);
  return fromValues(values, shape, { ...options, dtype });
}

/** Uniform on [0, 1): `rand([2, 3])` or `rand(2, 3)`. */
export const rand = (...args: ShapeArgs<RandomOptions>): Tensor =>
  randomFloats(...shapeArgs<RandomOptions>(args), (g, out) => g.uniform(out, 0, 1));

/** Standard normal: `randn([2, 3])` or `randn(2, 3)`. */
export const randn = (...args: ShapeArgs<RandomOptions>): Tensor =>
  randomFloats(...shapeArgs<RandomOptions>(args), (g, out) => g.normal(out, 0, 1));

/** Integers uniform on [low, high), int64 (as PyTorch) unless `dtype` says otherwise. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  assertValidShape(shape);
  if (!(high > low))
    throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const dtype = assertDType(options.dtype ?? "int64");
  if (dtype === "bool") throw new TypeError("randint: dtype bool is not supported; draw int64 and compare");
  // int64 draws as PyTorch's int64 does (a 64-bit draw for a range of 2^32 or more), in doubles;
  // fromValues then checks that the values fit the int32-backed store
  const values = allocTypedArray(dtype === "int64" ? "float64" : dtype, numelOf(shape));
  (options.generator ?? defaultGenerator).randint(values, low, high);
  return fromValues(values, shape, { ...options, dtype });
}

/** A random permutation of 0..n-1 (int64, as PyTorch). */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const values = (options.generator ?? defaultGenerator).randperm(n);
  return fromValues(values, [n], { ...options, dtype: options.dtype ?? "int64" });
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive, computed as PyTorch's CPU kernel
 * does (the first half counts up from start, the second half down from end, in the dtype's precision).
 */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`linspace: number of steps must be non-negative, got ${steps}`);
  const dtype = assertDType(options.dtype ?? "float32");
  const r = (x: number) => roundToDType(isFloating(dtype) ? dtype : "float64", x);
  const values = allocTypedArray(dtype, steps);
  if (steps === 1) values[0] = start;
  if (steps > 1) {
    const [a, b] = [r(start), r(end)];
    const step = r(r(b - a) / (steps - 1));
    const halfway = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) values[i] = i < halfway ? r(a + r(step * i)) : r(b - r(step * (steps - i - 1)));
  }
  return fromValues(values, [steps], { ...options, dtype });
}

/** start, start + step, … below end: `arange(end)`, `arange(start, end)` or `arange(start, end, step)`. */
export function arange(startOrEnd: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  const [start, stop] = end === undefined ? [0, startOrEnd] : [startOrEnd, end];
  if (step === 0) throw new RangeError("arange: step must be nonzero");
  if ((stop - start) / step < 0) {
    throw new RangeError(
      `arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${stop}, step ${step})`,
    );
  }
  const n = Math.ceil((stop - start) / step);
  const values = Array.from({ length: n }, (_, i) => start + i * step);
  return fromValues(values, [n], options);
}
