/**
 * WebAssembly reductions against the JS reference over [outer, size, inner] views.
 *
 * * max, min, argmax, argmin: bit-identical (first extreme wins, NaN wins, the sign of a zero
 *   result is the reference's);
 * * sum in float64 and int32: bit-identical (same order; int32 wraps);
 * * sum in float32: within (size + 1)·eps·Σ|x| + (size + 1)·tiny of the reference (it accumulates
 *   in float64 lanes, so in practice it equals the reference's once-rounded sum).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ReduceOp } from "../../src/backend/backend.js";
import type { DType } from "../../src/dtype.js";
import {
  DTYPES,
  RUNS,
  both,
  expectIdentical,
  expectWithinSumBound,
  js,
  release,
  seededValues,
  wasm,
} from "./reference.js";

const dtypeArb = fc.constantFrom(...DTYPES);

/** outer · size · inner ≤ ~80,000, with each factor sometimes 1, sometimes around the lane count. */
const viewArb = fc
  .record({
    outer: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 6 })),
    size: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 41, max: 3000 }), fc.constant(70_000)),
    inner: fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 13 }), fc.integer({ min: 14, max: 40 })),
    seed: fc.integer(),
    /** how many values are plain (the rest special), so extremes are sometimes unique, sometimes tied */
    style: fc.constantFrom("any", "plain", "ties"),
  })
  .filter((v) => v.outer * v.size * v.inner <= 80_000);

function valuesFor(dtype: DType, n: number, seed: number, style: string): number[] {
  if (style === "plain")
    return seededValues(dtype, n, seed, (u) =>
      dtype === "int32" ? Math.floor((u() - 0.5) * 2000) : (u() - 0.5) * 1000,
    );
  if (style === "ties") return seededValues(dtype, n, seed, (u) => [0, -0, 1, -1, 3][Math.floor(u() * 5)]);
  return seededValues(dtype, n, seed);
}

function run(op: ReduceOp, dtype: DType, outer: number, size: number, inner: number, values: number[]) {
  const [ja, wa] = both(dtype, values);
  const outDtype = op === "argmax" || op === "argmin" ? "int32" : dtype;
  const [jo, wo] = [js.alloc(outDtype, outer * inner), wasm.alloc(outDtype, outer * inner)];
  js.reduce(op, jo, ja, outer, size, inner);
  wasm.reduce(op, wo, wa, outer, size, inner);
  const result = { got: wasm.read(wo), want: js.read(jo) };
  release(wa, wo);
  return result;
}

describe("reduce", () => {
  it("max, min, argmax and argmin are bit-identical", () => {
    fc.assert(
      fc.property(fc.constantFrom<ReduceOp>("max", "min", "argmax", "argmin"), dtypeArb, viewArb, (op, dtype, v) => {
        const values = valuesFor(dtype, v.outer * v.size * v.inner, v.seed, v.style);
        const { got, want } = run(op, dtype, v.outer, v.size, v.inner, values);
        expectIdentical(got, want, `${op} ${dtype} [${v.outer}, ${v.size}, ${v.inner}] ${v.style}`);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("sum is bit-identical in float64 and int32, within (n+1)·eps·Σ|x| in float32", () => {
    fc.assert(
      fc.property(dtypeArb, viewArb, fc.boolean(), (dtype, v, empty) => {
        const size = empty ? 0 : v.size;
        const values = valuesFor(dtype, v.outer * size * v.inner, v.seed, v.style);
        const { got, want } = run("sum", dtype, v.outer, size, v.inner, values);
        const what = `sum ${dtype} [${v.outer}, ${size}, ${v.inner}] ${v.style}`;
        if (dtype !== "float32") return expectIdentical(got, want, what);
        const absSums = new Float64Array(v.outer * v.inner);
        for (let o = 0; o < v.outer; o++) {
          for (let k = 0; k < size; k++) {
            for (let i = 0; i < v.inner; i++)
              absSums[o * v.inner + i] += Math.abs(values[(o * size + k) * v.inner + i]);
          }
        }
        expectWithinSumBound(dtype, got, want, absSums, size, what);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("float32 sums of ordinary values come out equal to the reference's once-rounded sum", () => {
    const values = seededValues("float32", 100_003, 42, (u) => Math.fround((u() - 0.3) * 10));
    const { got, want } = run("sum", "float32", 1, values.length, 1, values);
    expect(got[0]).toBe(want[0]);
  });
});
