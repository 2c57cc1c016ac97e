/**
 * The WebAssembly matrix product against the JS reference, over batches, both transpose flags,
 * shared (batch stride 0) operands and sizes around the 4×8 micro-tile and the 256-deep k blocks.
 *
 * * float32: within (k+1)·eps·Σ_p|a_ip·b_pj| + (k+1)·tiny per output (the packed GEMM sums in
 *   blocked order, the reference in row order, both rounding every product and partial sum to float32);
 * * float64: bit-identical (the same products added in the same order);
 * * int32: bit-identical for operands whose products the double-precision reference forms exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
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

const dim = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 12 }) },
  { weight: 2, arbitrary: fc.integer({ min: 13, max: 70 }) },
  { weight: 1, arbitrary: fc.constantFrom(255, 256, 257, 300, 520) },
);

const caseArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    m: dim,
    k: dim,
    n: dim,
    transA: fc.boolean(),
    transB: fc.boolean(),
    shareA: fc.boolean(),
    shareB: fc.boolean(),
    seed: fc.integer(),
    special: fc.boolean(),
  })
  .filter((c) => c.batch * c.m * c.k * c.n <= 6_000_000 && c.batch * (c.m * c.k + c.k * c.n + c.m * c.n) <= 600_000);

/** Operand values: ordinary magnitudes, or with zeros, subnormals, ±Infinity and NaN mixed in. */
function operand(dtype: DType, n: number, seed: number, special: boolean): number[] {
  if (dtype === "int32") return seededValues(dtype, n, seed, (u) => Math.floor((u() - 0.5) * 2000));
  if (!special) return seededValues(dtype, n, seed, (u) => (u() - 0.5) * 8);
  const pool = [0, -0, 1e-40, -3e-39, Infinity, -Infinity, NaN, 1e15, -2.5];
  return seededValues(dtype, n, seed, (u) => (u() < 0.02 ? pool[Math.floor(u() * pool.length)] : (u() - 0.5) * 8));
}

describe("matmul", () => {
  it("matches the reference: float32 within the summation bound, float64 and int32 bit-identical", () => {
    fc.assert(
      fc.property(fc.constantFrom(...DTYPES), caseArb, (dtype, c) => {
        const { batch, m, k, n } = c;
        const aStride = c.shareA ? 0 : m * k;
        const bStride = c.shareB ? 0 : k * n;
        const aValues = operand(dtype, c.shareA ? m * k : batch * m * k, c.seed, c.special);
        const bValues = operand(dtype, c.shareB ? k * n : batch * k * n, c.seed + 1, c.special);
        const [ja, wa] = both(dtype, aValues);
        const [jb, wb] = both(dtype, bValues);
        const [jo, wo] = [js.alloc(dtype, batch * m * n), wasm.alloc(dtype, batch * m * n)];
        js.matmul(jo, ja, jb, batch, m, k, n, aStride, bStride, c.transA, c.transB);
        wasm.matmul(wo, wa, wb, batch, m, k, n, aStride, bStride, c.transA, c.transB);
        const what = `matmul ${dtype} batch=${batch} ${m}x${k}x${n} transA=${c.transA} transB=${c.transB} shared=${c.shareA},${c.shareB}`;
        if (dtype !== "float32") {
          expectIdentical(wasm.read(wo), js.read(jo), what);
        } else {
          // Σ_p |op(A)_ip · op(B)_pj| per output, from the reference itself on |A| and |B|
          const [absA, absB] = [
            js.fromArray("float64", aValues.map(Math.abs)),
            js.fromArray("float64", bValues.map(Math.abs)),
          ];
          const absOut = js.alloc("float64", batch * m * n);
          js.matmul(absOut, absA, absB, batch, m, k, n, aStride, bStride, c.transA, c.transB);
          expectWithinSumBound(dtype, wasm.read(wo), js.read(jo), js.read(absOut), k, what);
        }
        release(wa, wb, wo);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("matmul overflow", () => {
  it("float32 partial sums that pass the largest float32 stay ∞ on both backends (PyTorch 1.13: inf)", () => {
    for (const backend of [js, wasm]) {
      const [a, b, out] = [
        backend.fromArray("float32", [3e38, 3e38, -3e38]),
        backend.fromArray("float32", [1, 1, 1]),
        backend.alloc("float32", 1),
      ];
      backend.matmul(out, a, b, 1, 1, 3, 1, 0, 0, false, false);
      expect(Array.from(backend.read(out)), backend.name).toEqual([Infinity]);
      for (const s of [a, b, out]) backend.free(s);
    }
  });
});
