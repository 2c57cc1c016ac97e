/**
 * The harness of the backend property tests: both backends side by side, value and shape
 * generators that reach the corners (±0, subnormals, ±Infinity, NaN, lengths around the SIMD
 * width, broadcast strides, large sizes), and the three ways results are compared:
 *
 * * bit-identical: same bits, except that any NaN matches any NaN (payloads are not portable);
 * * within n ulp: for transcendental functions, whose last bit depends on the libm;
 * * within k·eps·Σ|terms| (+ k underflow units): for reordered sums (reductions, matmul), where
 *   k is the number of terms plus one, the classic bound for any summation order.
 */
import fc from "fast-check";
import { expect } from "vitest";
import type { Storage } from "../../src/backend/backend.js";
import { JsBackend } from "../../src/backend/js.js";
import { createWasmBackend, type WasmBackend } from "../../src/backend/wasm/backend.js";
import type { DType, TypedArray } from "../../src/dtype.js";

export const DTYPES: readonly DType[] = ["float32", "float64", "int32"];
export const js = new JsBackend();
export const wasm: WasmBackend = await createWasmBackend();

/** Runs per property; raise with FC_RUNS for a soak. */
export const RUNS = Number(process.env.FC_RUNS ?? 200);

/** Machine epsilon of a float dtype (2^-23, 2^-52). */
export function epsOf(dtype: DType): number {
  return dtype === "float64" ? 2 ** -52 : 2 ** -23;
}
/** The smallest positive subnormal of a float dtype. */
export function tinyOf(dtype: DType): number {
  return dtype === "float64" ? 2 ** -1074 : 2 ** -149;
}

// ---- values -------------------------------------------------------------------------------------

const F32_SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -2,
  Infinity,
  -Infinity,
  NaN,
  2 ** -149,
  -(2 ** -149),
  2 ** -126,
  2 ** -127 * 1.5,
  -(2 ** -130), // smallest subnormal, min normal, subnormals
  3.4028234663852886e38,
  -3.4028234663852886e38,
  88.72283935546875,
  -103.97207641601562,
  1e-8,
  16777217,
];
const F64_SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -2,
  Infinity,
  -Infinity,
  NaN,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  1e-310,
  -1e-315,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  709.782712893384,
  -745.1332191019411,
  1e-17,
  2 ** 53 + 2,
];
const I32_SPECIAL = [0, 1, -1, 2, -2, 2147483647, -2147483648, 65536, -65535, 46341];

/** One element of `dtype`: special values, every bit pattern, and ordinary magnitudes. */
export function elementArb(dtype: DType): fc.Arbitrary<number> {
  if (dtype === "int32") {
    return fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...I32_SPECIAL) },
      { weight: 2, arbitrary: fc.integer({ min: -100, max: 100 }) },
      { weight: 2, arbitrary: fc.integer({ min: -2147483648, max: 2147483647 }) },
    );
  }
  const any = dtype === "float32" ? fc.float() : fc.double();
  const special = fc.constantFrom(...(dtype === "float32" ? F32_SPECIAL : F64_SPECIAL));
  const ordinary = fc.double({ min: -50, max: 50, noNaN: true }).map((x) => (dtype === "float32" ? Math.fround(x) : x));
  return fc.oneof({ weight: 1, arbitrary: special }, { weight: 2, arbitrary: any }, { weight: 2, arbitrary: ordinary });
}

/** A cheap deterministic generator for large arrays (fast-check arrays of 10^5 elements are slow). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` values drawn like elementArb's, from a seed. */
export function seededValues(
  dtype: DType,
  length: number,
  seed: number,
  range?: (u: () => number) => number,
): number[] {
  const u = mulberry32(seed);
  const bits = new DataView(new ArrayBuffer(8));
  const special = dtype === "float32" ? F32_SPECIAL : dtype === "float64" ? F64_SPECIAL : I32_SPECIAL;
  const out = new Array<number>(length);
  for (let i = 0; i < length; i++) {
    if (range) {
      out[i] = range(u);
      continue;
    }
    const pick = u();
    if (pick < 0.1) out[i] = special[Math.floor(u() * special.length)];
    else if (pick < 0.4) {
      if (dtype === "int32") out[i] = (u() * 4294967296) | 0;
      else if (dtype === "float32") {
        bits.setUint32(0, u() * 4294967296);
        out[i] = bits.getFloat32(0);
      } else {
        bits.setUint32(0, u() * 4294967296);
        bits.setUint32(4, u() * 4294967296);
        out[i] = bits.getFloat64(0);
      }
    } else {
      const x = (u() - 0.5) * 100;
      out[i] = dtype === "int32" ? Math.round(x) : dtype === "float32" ? Math.fround(x) : x;
    }
  }
  return out;
}

/**
 * Lengths: mostly 0–40 (every tail of the 4-lane loops, several times over), sometimes a few
 * hundred, now and then large (up to 70,000).
 */
export const lengthArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }) },
  { weight: 2, arbitrary: fc.integer({ min: 41, max: 600 }) },
  { weight: 1, arbitrary: fc.integer({ min: 601, max: 70_000 }) },
);

/**
 * An array of `length` elements: shrinkable element by element when short, seeded when long.
 * `intRange` restricts int32 values to [min, max] (for products the reference must form exactly).
 */
export function valuesArb(
  dtype: DType,
  length: number,
  intRange?: { min: number; max: number },
): fc.Arbitrary<number[]> {
  const element = intRange ? fc.integer(intRange) : elementArb(dtype);
  if (length <= 64) return fc.array(element, { minLength: length, maxLength: length });
  const uniform = intRange
    ? (u: () => number) => intRange.min + Math.floor(u() * (intRange.max - intRange.min + 1))
    : undefined;
  return fc.integer().map((seed) => seededValues(dtype, length, seed, uniform));
}

// ---- shapes -------------------------------------------------------------------------------------

/** Row-major strides. */
export function contiguous(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d];
  }
  return strides;
}

export const numel = (shape: readonly number[]): number => shape.reduce((n, d) => n * d, 1);

/** A shape of 0–4 dimensions with at most `maxNumel` elements (sizes 0–7, sometimes larger). */
export function shapeArb(maxNumel = 20_000): fc.Arbitrary<number[]> {
  const size = fc.oneof(
    { weight: 5, arbitrary: fc.integer({ min: 1, max: 7 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 16, 33, 129) },
  );
  return fc.array(size, { minLength: 0, maxLength: 4 }).filter((s) => numel(s) <= maxNumel);
}

// ---- storages -----------------------------------------------------------------------------------

/** The same values on both backends. */
export function both(dtype: DType, values: ArrayLike<number>): [Storage, Storage] {
  return [js.fromArray(dtype, values), wasm.fromArray(dtype, values)];
}

/** Frees the WebAssembly storages a property created (the JS ones are garbage). */
export function release(...storages: Storage[]): void {
  for (const s of storages) if ((s as { pointer?: number }).pointer !== undefined) wasm.free(s);
}

// ---- comparisons --------------------------------------------------------------------------------

const scratch = new DataView(new ArrayBuffer(8));

/** A float's position on the number line in units of its dtype's ulp (monotone, ±0 both 0). */
function ordinal(dtype: DType, x: number): bigint {
  if (dtype === "float32") {
    scratch.setFloat32(0, x);
    const bits = scratch.getInt32(0);
    return BigInt(bits < 0 ? -(bits & 0x7fffffff) : bits);
  }
  scratch.setFloat64(0, x);
  const bits = scratch.getBigInt64(0);
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
}

/** Distance in ulp between two floats of `dtype` (0 for NaN vs NaN, Infinity for NaN vs number). */
export function ulpDistance(dtype: DType, a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const d = ordinal(dtype, a) - ordinal(dtype, b);
  return Number(d < 0n ? -d : d);
}

function describeAt(i: number, got: number, want: number, context: string): string {
  return `${context}: element ${i}: wasm ${Object.is(got, -0) ? "-0" : got}, js ${Object.is(want, -0) ? "-0" : want}`;
}

/** Same bits (any NaN matches any NaN; +0 and -0 differ). */
export function expectIdentical(got: ArrayLike<number>, want: ArrayLike<number>, context = ""): void {
  expect(got.length, `${context}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i], want[i]];
    if (Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    expect.fail(describeAt(i, g, w, context));
  }
}

/** Within `maxUlp` ulp of each other, NaN where NaN. */
export function expectWithinUlp(
  dtype: DType,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  maxUlp: number,
  context = "",
): void {
  expect(got.length, `${context}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (ulpDistance(dtype, got[i], want[i]) > maxUlp)
      expect.fail(`${describeAt(i, got[i], want[i], context)} (> ${maxUlp} ulp)`);
  }
}

/**
 * |got - want| ≤ k·eps·Σ|terms| + k·tiny per element, where bound[i] = Σ|terms| and k = terms + 1.
 * Equal values (including equal infinities) and NaN-for-NaN pass.
 */
export function expectWithinSumBound(
  dtype: DType,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  absSums: ArrayLike<number>,
  terms: number,
  context = "",
): void {
  expect(got.length, `${context}: length`).toBe(want.length);
  const k = terms + 1;
  for (let i = 0; i < want.length; i++) {
    const [g, w] = [got[i], want[i]];
    if (Object.is(g, w) || g === w || (Number.isNaN(g) && Number.isNaN(w))) continue;
    const bound = k * epsOf(dtype) * absSums[i] + k * tinyOf(dtype);
    if (!(Math.abs(g - w) <= bound)) expect.fail(`${describeAt(i, g, w, context)} (bound ${bound})`);
  }
}

export type { TypedArray };
