/**
 * `assertClose(actual, expected, { rtol, atol })`: `torch.testing.assert_close` for users' tests.
 *
 * Two values are close where |actual − expected| ≤ atol + rtol·|expected| for every element; NaN
 * matches NaN only with `equalNan`, infinities only themselves. Defaults by dtype are PyTorch's:
 *
 *     dtype      rtol     atol
 *     float16    1e-3     1e-5    (what a .pt float16 tensor was before gradstep widened it)
 *     bfloat16   1.6e-2   1e-5
 *     float32    1.3e-6   1e-5
 *     float64    1e-7     1e-7
 *     int32      0        0
 *
 * Plain numbers and nested arrays count as float64 (JavaScript numbers are doubles). With two
 * tensors the dtypes must agree unless `checkDtype: false` (then the looser defaults apply). On a
 * mismatch the error reads like PyTorch's: how many elements differ, the greatest absolute and
 * relative differences with their indices, and both values at the worst element.
 */
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import { checkOptions } from "../options.js";

export class AssertionError extends Error {
  override name = "AssertionError";
}

export const DEFAULT_TOLERANCES: Record<DType | "float16" | "bfloat16", { rtol: number; atol: number }> = {
  float16: { rtol: 1e-3, atol: 1e-5 },
  bfloat16: { rtol: 1.6e-2, atol: 1e-5 },
  float32: { rtol: 1.3e-6, atol: 1e-5 },
  float64: { rtol: 1e-7, atol: 1e-7 },
  int64: { rtol: 0, atol: 0 },
  int32: { rtol: 0, atol: 0 },
  bool: { rtol: 0, atol: 0 },
};

export interface AssertCloseOptions {
  rtol?: number;
  atol?: number;
  equalNan?: boolean;
  checkDtype?: boolean;
  /** Prefixed to the report, e.g. the name of the tensor. */
  msg?: string;
}

type Value = Tensor | number | readonly unknown[];

export function assertClose(actual: Value, expected: Value, options?: AssertCloseOptions): void {
  const {
    rtol,
    atol,
    equalNan = false,
    checkDtype = true,
    msg,
  } = checkOptions("assertClose", options, ["rtol", "atol", "equalNan", "checkDtype", "msg"]);
  if ((rtol === undefined) !== (atol === undefined)) {
    throw new TypeError(
      `assertClose: both 'rtol' and 'atol' must be given, or neither (got ${rtol === undefined ? "atol" : "rtol"} only)`,
    );
  }
  const prefix = msg ? `${msg}: ` : "";
  const a = flatten(actual, "actual");
  const e = flatten(expected, "expected");
  if (a.shape.length !== e.shape.length || a.shape.some((d, i) => d !== e.shape[i])) {
    throw new AssertionError(`${prefix}The values for attribute 'shape' do not match: [${a.shape}] != [${e.shape}].`);
  }
  if (checkDtype && actual instanceof Tensor && expected instanceof Tensor && actual.dtype !== expected.dtype) {
    throw new AssertionError(
      `${prefix}The values for attribute 'dtype' do not match: ${actual.dtype} != ${expected.dtype}.`,
    );
  }
  const tolerance =
    rtol !== undefined ? { rtol, atol: atol! } : looser(DEFAULT_TOLERANCES[a.dtype], DEFAULT_TOLERANCES[e.dtype]);

  // compared in float64 (JavaScript numbers), as PyTorch promotes floating tensors for the comparison
  let mismatches = 0;
  let worstAbs = { diff: -1, at: 0 };
  let worstRel = { diff: -1, at: 0 };
  let firstBad = -1;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i];
    const y = e.values[i];
    if (x === y || (equalNan && Number.isNaN(x) && Number.isNaN(y))) continue;
    const abs = Number.isNaN(x - y) ? Infinity : Math.abs(x - y);
    if (Number.isFinite(abs) && abs <= tolerance.atol + tolerance.rtol * Math.abs(y)) continue;
    // only mismatched elements count for the greatest differences, as in PyTorch's report
    const rel = abs / Math.abs(y);
    if (abs > worstAbs.diff) worstAbs = { diff: abs, at: i };
    if (rel > worstRel.diff) worstRel = { diff: rel, at: i };
    mismatches++;
    if (firstBad < 0) firstBad = i;
  }
  if (mismatches === 0) return;
  const n = a.values.length;
  const index = (flat: number) => `(${unravel(flat, a.shape).join(", ")}${a.shape.length === 1 ? "," : ""})`;
  const worst = worstAbs.at;
  throw new AssertionError(
    `${prefix}${a.shape.length === 0 ? "Scalars are" : "Tensor-likes are"} not close!\n\n` +
      `Mismatched elements: ${mismatches} / ${n} (${((100 * mismatches) / n).toFixed(1)}%)\n` +
      `Greatest absolute difference: ${pyFloat(worstAbs.diff)} at index ${index(worst)} (up to ${pyFloat(tolerance.atol)} allowed)\n` +
      `Greatest relative difference: ${pyFloat(worstRel.diff)} at index ${index(worstRel.at)} (up to ${pyFloat(tolerance.rtol)} allowed)\n` +
      `At index ${index(worst)}: actual ${a.values[worst]}, expected ${e.values[worst]}` +
      (firstBad !== worst
        ? `\nFirst mismatch at index ${index(firstBad)}: actual ${a.values[firstBad]}, expected ${e.values[firstBad]}`
        : ""),
  );
}

/** A number as Python's repr writes a float (1e-05, 1.0, inf), so reports read like PyTorch's. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const size = Math.abs(x);
  if (x !== 0 && (size < 1e-4 || size >= 1e16)) return x.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  const text = String(x);
  return Number.isInteger(x) ? `${text}.0` : text;
}

function looser(x: { rtol: number; atol: number }, y: { rtol: number; atol: number }) {
  return { rtol: Math.max(x.rtol, y.rtol), atol: Math.max(x.atol, y.atol) };
}

function flatten(value: Value, what: string): { shape: number[]; values: ArrayLike<number>; dtype: DType } {
  if (value instanceof Tensor) return { shape: [...value.shape], values: value.toArray(), dtype: value.dtype };
  if (typeof value === "number") return { shape: [], values: [value], dtype: "float64" };
  if (!Array.isArray(value))
    throw new TypeError(`assertClose: ${what} should be a Tensor, a number or nested arrays of numbers`);
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const values = (value as unknown[]).flat(Infinity as 0) as unknown[];
  if (values.some((v) => typeof v !== "number") || values.length !== shape.reduce((p, d) => p * d, 1)) {
    throw new TypeError(`assertClose: ${what} is not a rectangular nested array of numbers`);
  }
  return { shape, values: values as number[], dtype: "float64" };
}

function unravel(flat: number, shape: number[]): number[] {
  const index = shape.map(() => 0);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}
