/**
 * Creating tensors: from JS data (`tensor`), constant factories, ranges and random draws.
 * Random factories draw from PyTorch's generator algorithm (see random.ts), so with the same seed
 * `rand`, `randn`, `randint` and `randperm` give PyTorch's numbers.
 */
import type { Backend } from "./backend/backend.js";
import { activeBackend } from "./backend/index.js";
import { allocTypedArray, assertDType, type DType, isFloating, roundToDType } from "./dtype.js";
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

/** Nested arrays of numbers (or a typed array) as accepted by `tensor()`. */
export type TensorData = number | readonly TensorData[] | ArrayLike<number>;

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
 */
export function fromValues(values: ArrayLike<number>, shape: readonly number[], options: FromValuesOptions = {}): Tensor {
  assertValidShape(shape);
  if (values.length !== numelOf(shape)) {
    throw new RangeError(`fromValues: shape ${formatShape(shape)} is invalid for input of size ${values.length}`);
  }
  const dtype = assertDType(options.dtype ?? "float32");
  const backend = options.backend ?? activeBackend();
  return finish(new Tensor(backend.fromArray(dtype, values), [...shape], backend), options);
}

/** The shape of nested arrays, checking that they are rectangular (PyTorch's message otherwise). */
function inferShape(data: TensorData): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  while (typeof level !== "number") {
    if (level === null || typeof level !== "object" || !("length" in level)) {
      throw new TypeError(`tensor(): expected numbers or (nested) arrays of numbers, found ${String(level)}`);
    }
    const list = level as ArrayLike<unknown>;
    shape.push(list.length);
    if (list.length === 0) break;
    level = list[0];
  }
  return shape;
}

function flattenInto(data: TensorData, shape: readonly number[], dim: number, out: number[]): void {
  if (dim === shape.length) {
    if (typeof data !== "number") throw new TypeError(`tensor(): expected a number at depth ${dim}, found ${Array.isArray(data) ? "an array" : String(data)}`);
    out.push(data);
    return;
  }
  const list = data as ArrayLike<TensorData>;
  if (typeof data === "number" || list.length !== shape[dim]) {
    const got = typeof data === "number" ? "a number" : `length ${list.length}`;
    throw new RangeError(`tensor(): expected sequence of length ${shape[dim]} at dim ${dim} (got ${got}); nested arrays must be rectangular`);
  }
  for (let i = 0; i < list.length; i++) flattenInto(list[i], shape, dim + 1, out);
}

/**
 * A tensor from nested arrays, a number, or a typed array (1-D). float32 unless `dtype` says
 * otherwise; integer data is not inferred as int32 (ask for `dtype: "int32"`).
 */
export function tensor(data: TensorData | Tensor, options: TensorOptions = {}): Tensor {
  if (data instanceof Tensor) return fromValues(data.toArray(), data.shape, { dtype: data.dtype, ...options });
  if (ArrayBuffer.isView(data)) return fromValues(data as ArrayLike<number>, [(data as ArrayLike<number>).length], options);
  const shape = inferShape(data);
  const values: number[] = [];
  flattenInto(data, shape, 0, values);
  return fromValues(values, shape, options);
}

export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  assertValidShape(shape);
  const t = Tensor.empty(shape, assertDType(options.dtype ?? "float32"));
  t.backend.fill(t.storage, value);
  return finish(t, options);
}
/**
 * A shape given as PyTorch allows: one array (`zeros([2, 3])`) or the sizes themselves
 * (`zeros(2, 3)`), optionally followed by an options object.
 */
export type ShapeArgs<O> = [shape: readonly number[], options?: O] | [...sizes: number[]] | [...sizes: number[], options: O];

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
export const zerosLike = (t: Tensor, options: TensorOptions = {}): Tensor => full(t.shape, 0, { dtype: t.dtype, ...options });
export const onesLike = (t: Tensor, options: TensorOptions = {}): Tensor => full(t.shape, 1, { dtype: t.dtype, ...options });
export const fullLike = (t: Tensor, value: number, options: TensorOptions = {}): Tensor => full(t.shape, value, { dtype: t.dtype, ...options });

/** The n×n identity matrix. */
export function eye(n: number, options: TensorOptions = {}): Tensor {
  const values = new Float64Array(n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return fromValues(values, [n, n], options);
}

function randomFloats(shape: readonly number[], options: RandomOptions, fill: (g: Generator, out: Float32Array | Float64Array) => void): Tensor {
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

/** Integers uniform on [low, high), int32 unless `dtype` says otherwise. */
export function randint(low: number, high: number, shape: readonly number[], options: RandomOptions = {}): Tensor {
  assertValidShape(shape);
  if (!(high > low)) throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  const dtype = assertDType(options.dtype ?? "int32");
  const values = allocTypedArray(dtype, numelOf(shape));
  (options.generator ?? defaultGenerator).randint(values, low, high);
  return fromValues(values, shape, { ...options, dtype });
}

/** A random permutation of 0..n-1 (int32). */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
  const values = (options.generator ?? defaultGenerator).randperm(n);
  return fromValues(values, [n], { ...options, dtype: options.dtype ?? "int32" });
}

/**
 * `steps` evenly spaced values from `start` to `end` inclusive, computed as PyTorch's CPU kernel
 * does (the first half counts up from start, the second half down from end, in the dtype's precision).
 */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`linspace: number of steps must be non-negative, got ${steps}`);
  const dtype = assertDType(options.dtype ?? "float32");
  const r = (x: number) => roundToDType(dtype === "int32" ? "float64" : dtype, x);
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
    throw new RangeError(`arange: upper bound and larger bound inconsistent with step sign (start ${start}, end ${stop}, step ${step})`);
  }
  const n = Math.ceil((stop - start) / step);
  const values = Array.from({ length: n }, (_, i) => start + i * step);
  return fromValues(values, [n], options);
}
