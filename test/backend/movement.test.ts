/**
 * WebAssembly kernels against the JS reference: the strided copy (permute, expand, slices, cat),
 * row gather and row scatter-add. All of them only move or add values in the reference's order,
 * so every result is bit-identical.
 */
import fc from "fast-check";
import { describe, it } from "vitest";
import type { DType } from "../../src/dtype.js";
import {
  DTYPES,
  RUNS,
  both,
  contiguous,
  expectIdentical,
  js,
  numel,
  release,
  seededValues,
  shapeArb,
  wasm,
} from "./reference.js";

const dtypeArb = fc.constantFrom(...DTYPES);

describe("copyStrided", () => {
  /**
   * A source read through permuted (and sometimes broadcast) strides at an offset, written into a
   * window of a larger destination at an offset: what permute, expand, narrow and cat do.
   */
  const caseArb = shapeArb(5000).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      permutation: fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }),
      broadcast: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      sourcePad: fc.integer({ min: 0, max: 5 }),
      sourceOffset: fc.integer({ min: 0, max: 7 }),
      outerPad: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: shape.length, maxLength: shape.length }),
      windowStart: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: shape.length, maxLength: shape.length }),
      seed: fc.integer(),
    }),
  );

  it("is bit-identical over random permutations, broadcasts, offsets and destination windows", () => {
    fc.assert(
      fc.property(dtypeArb, caseArb, (dtype: DType, c) => {
        const { shape } = c;
        // source: a dense tensor whose dimensions, permuted, give `shape`
        const sourceShape = c.permutation.map((d) => shape[d]);
        const sourceStrides = contiguous(sourceShape);
        const aStrides = shape.map((_, d) => (c.broadcast[d] ? 0 : sourceStrides[c.permutation.indexOf(d)]));
        const sourceLength = numel(sourceShape) + c.sourceOffset + c.sourcePad;
        // destination: a window of a larger dense tensor (each dimension padded), at an offset
        const outerShape = shape.map((d, i) => d + c.outerPad[i]);
        const outStrides = contiguous(outerShape);
        const start = shape.map((_, i) => Math.min(c.windowStart[i], c.outerPad[i]));
        const outOffset = start.reduce((n, s, i) => n + s * outStrides[i], 0);
        const values = seededValues(dtype, sourceLength, c.seed);
        const [ja, wa] = both(dtype, values);
        const filler = seededValues(dtype, numel(outerShape), c.seed + 1);
        const [jo, wo] = both(dtype, filler);
        js.copyStrided(jo, outOffset, outStrides, ja, c.sourceOffset, aStrides, shape);
        wasm.copyStrided(wo, outOffset, outStrides, wa, c.sourceOffset, aStrides, shape);
        expectIdentical(wasm.read(wo), js.read(jo), `copyStrided ${dtype} [${shape}] perm ${c.permutation}`);
        release(wa, wo);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe("gather and scatter rows", () => {
  const caseArb = fc.record({
    rows: fc.integer({ min: 1, max: 40 }),
    rowSize: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 300 })),
    picks: fc.integer({ min: 0, max: 60 }),
    seed: fc.integer(),
  });

  it("gatherRows is bit-identical, repeated and out-of-order indices included", () => {
    fc.assert(
      fc.property(dtypeArb, caseArb, (dtype, c) => {
        const index = seededValues("int32", c.picks, c.seed, (u) => Math.floor(u() * c.rows));
        const [ji, wi] = both("int32", index);
        const [js_, ws] = both(dtype, seededValues(dtype, c.rows * c.rowSize, c.seed));
        const [jo, wo] = [js.alloc(dtype, c.picks * c.rowSize), wasm.alloc(dtype, c.picks * c.rowSize)];
        js.gatherRows(jo, js_, ji, c.rowSize);
        wasm.gatherRows(wo, ws, wi, c.rowSize);
        expectIdentical(wasm.read(wo), js.read(jo), `gatherRows ${dtype} rows=${c.rows} rowSize=${c.rowSize}`);
        release(wi, ws, wo);
      }),
      { numRuns: RUNS },
    );
  });

  it("scatterAddRows is bit-identical (repeated indices accumulate in the same order)", () => {
    fc.assert(
      fc.property(dtypeArb, caseArb, (dtype, c) => {
        const index = seededValues("int32", c.picks, c.seed, (u) => Math.floor(u() * c.rows));
        const [ji, wi] = both("int32", index);
        const [js_, ws] = both(dtype, seededValues(dtype, c.picks * c.rowSize, c.seed));
        const [jo, wo] = both(dtype, seededValues(dtype, c.rows * c.rowSize, c.seed + 7));
        js.scatterAddRows(jo, js_, ji, c.rowSize);
        wasm.scatterAddRows(wo, ws, wi, c.rowSize);
        expectIdentical(wasm.read(wo), js.read(jo), `scatterAddRows ${dtype} rows=${c.rows} rowSize=${c.rowSize}`);
        release(wi, ws, wo);
      }),
      { numRuns: RUNS },
    );
  });
});
