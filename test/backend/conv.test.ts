/**
 * The WebAssembly convolution and pooling kernels against the JS reference: im2col, col2im,
 * maxPool2d and its backward, over random geometry (kernels 1–5, strides 1–3, padding up to the
 * kernel, CNN2's shapes among them). All four only move, select or add in the reference's order,
 * so every result is bit-identical.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Window2d } from "../../src/backend/backend.js";
import type { DType } from "../../src/dtype.js";
import { F, tensor } from "../../src/index.js";
import { describeEachBackend } from "../helpers.js";
import { DTYPES, RUNS, both, expectIdentical, js, release, seededValues, wasm } from "./reference.js";

const dtypeArb = fc.constantFrom(...DTYPES);

/** A window geometry with a non-empty output; `pool` keeps padding ≤ kernel/2, as maxPool2d requires. */
function windowArb(pool: boolean): fc.Arbitrary<Window2d> {
  const random = fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: 4 }),
      height: fc.integer({ min: 1, max: 30 }),
      width: fc.integer({ min: 1, max: 30 }),
      kernelH: fc.integer({ min: 1, max: 5 }),
      kernelW: fc.integer({ min: 1, max: 5 }),
      strideH: fc.integer({ min: 1, max: 3 }),
      strideW: fc.integer({ min: 1, max: 3 }),
      padH: fc.integer({ min: 0, max: 4 }),
      padW: fc.integer({ min: 0, max: 4 }),
    })
    .map((w) => ({
      ...w,
      padH: Math.min(w.padH, pool ? Math.floor(w.kernelH / 2) : w.kernelH),
      padW: Math.min(w.padW, pool ? Math.floor(w.kernelW / 2) : w.kernelW),
    }))
    .map((w) => ({
      ...w,
      outH: Math.floor((w.height + 2 * w.padH - w.kernelH) / w.strideH) + 1,
      outW: Math.floor((w.width + 2 * w.padW - w.kernelW) / w.strideW) + 1,
    }))
    .filter((w) => w.outH > 0 && w.outW > 0);
  // the book's CNN2: 3x28x28 → 5x26x26 (k3), pooled to 13, 5x13x13 → 5x11x11, pooled to 5
  const cnn2 = fc.constantFrom<Window2d>(
    {
      batch: 16,
      channels: 3,
      height: 28,
      width: 28,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padH: 0,
      padW: 0,
      outH: 26,
      outW: 26,
    },
    {
      batch: 16,
      channels: 5,
      height: 13,
      width: 13,
      kernelH: 3,
      kernelW: 3,
      strideH: 1,
      strideW: 1,
      padH: 0,
      padW: 0,
      outH: 11,
      outW: 11,
    },
    {
      batch: 16,
      channels: 5,
      height: 26,
      width: 26,
      kernelH: 2,
      kernelW: 2,
      strideH: 2,
      strideW: 2,
      padH: 0,
      padW: 0,
      outH: 13,
      outW: 13,
    },
    {
      batch: 16,
      channels: 5,
      height: 11,
      width: 11,
      kernelH: 2,
      kernelW: 2,
      strideH: 2,
      strideW: 2,
      padH: 0,
      padW: 0,
      outH: 5,
      outW: 5,
    },
  );
  // MaxPool2d(2), which has its own SIMD path, over random sizes (odd sizes leave an edge unused)
  const pool2 = fc
    .record({
      batch: fc.integer({ min: 1, max: 3 }),
      channels: fc.integer({ min: 1, max: 4 }),
      height: fc.integer({ min: 2, max: 40 }),
      width: fc.integer({ min: 2, max: 40 }),
    })
    .map((w) => ({
      ...w,
      kernelH: 2,
      kernelW: 2,
      strideH: 2,
      strideW: 2,
      padH: 0,
      padW: 0,
      outH: Math.floor(w.height / 2),
      outW: Math.floor(w.width / 2),
    }));
  return fc.oneof(
    { weight: 5, arbitrary: random },
    { weight: 1, arbitrary: cnn2 },
    { weight: pool ? 3 : 0, arbitrary: pool2 },
  );
}

const sizes = (w: Window2d) => ({
  image: w.batch * w.channels * w.height * w.width,
  cols: w.batch * w.channels * w.kernelH * w.kernelW * w.outH * w.outW,
  pooled: w.batch * w.channels * w.outH * w.outW,
});

const label = (what: string, dtype: DType, w: Window2d) =>
  `${what} ${dtype} ${w.batch}x${w.channels}x${w.height}x${w.width} k${w.kernelH}x${w.kernelW} s${w.strideH}x${w.strideW} p${w.padH}x${w.padW}`;

describe("convolution", () => {
  it("im2col is bit-identical", () => {
    fc.assert(
      fc.property(dtypeArb, windowArb(false), fc.integer(), (dtype, w, seed) => {
        const { image, cols } = sizes(w);
        const [jx, wx] = both(dtype, seededValues(dtype, image, seed));
        const [jc, wc] = both(dtype, seededValues(dtype, cols, seed + 1)); // garbage to overwrite
        js.im2col(jc, jx, w);
        wasm.im2col(wc, wx, w);
        expectIdentical(wasm.read(wc), js.read(jc), label("im2col", dtype, w));
        release(wx, wc);
      }),
      { numRuns: RUNS },
    );
  });

  it("col2im is bit-identical (overlapping windows add in the reference's order)", () => {
    fc.assert(
      fc.property(dtypeArb, windowArb(false), fc.integer(), (dtype, w, seed) => {
        const { image, cols } = sizes(w);
        const [jc, wc] = both(dtype, seededValues(dtype, cols, seed));
        const [jo, wo] = both(dtype, seededValues(dtype, image, seed + 1)); // overwritten
        js.col2im(jo, jc, w);
        wasm.col2im(wo, wc, w);
        expectIdentical(wasm.read(wo), js.read(jo), label("col2im", dtype, w));
        release(wc, wo);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("max pooling", () => {
  it("maxPool2d values and indices are bit-identical (first maximum, NaN wins, padding never chosen)", () => {
    fc.assert(
      fc.property(dtypeArb, windowArb(true), fc.integer(), fc.boolean(), (dtype, w, seed, ties) => {
        const { image, pooled } = sizes(w);
        const values = ties
          ? seededValues(dtype, image, seed, (u) => [0, -0, 1, 2][Math.floor(u() * 4)])
          : seededValues(dtype, image, seed);
        const [jx, wx] = both(dtype, values);
        const [jo, wo] = [js.alloc(dtype, pooled), wasm.alloc(dtype, pooled)];
        const [ji, wi] = [js.alloc("int32", pooled), wasm.alloc("int32", pooled)];
        js.maxPool2d(jo, ji, jx, w);
        wasm.maxPool2d(wo, wi, wx, w);
        expectIdentical(wasm.read(wo), js.read(jo), label("maxPool2d values", dtype, w));
        expectIdentical(wasm.read(wi), js.read(ji), label("maxPool2d indices", dtype, w));
        release(wx, wo, wi);
      }),
      { numRuns: RUNS },
    );
  });

  it("maxPool2dBackward is bit-identical (overlapping windows add in order)", () => {
    fc.assert(
      fc.property(dtypeArb, windowArb(true), fc.integer(), (dtype, w, seed) => {
        const { image, pooled } = sizes(w);
        // indices from a real forward pass, so they are valid positions of each window
        const [jx, wx] = both(dtype, seededValues(dtype, image, seed));
        const [jo, wo] = [js.alloc(dtype, pooled), wasm.alloc(dtype, pooled)];
        const [ji, wi] = [js.alloc("int32", pooled), wasm.alloc("int32", pooled)];
        js.maxPool2d(jo, ji, jx, w);
        wasm.maxPool2d(wo, wi, wx, w);
        const [jg, wg] = both(dtype, seededValues(dtype, pooled, seed + 3));
        const [jgx, wgx] = both(dtype, seededValues(dtype, image, seed + 4)); // overwritten
        js.maxPool2dBackward(jgx, jg, ji, w);
        wasm.maxPool2dBackward(wgx, wg, wi, w);
        expectIdentical(wasm.read(wgx), js.read(jgx), label("maxPool2dBackward", dtype, w));
        release(wx, wo, wi, wg, wgx);
      }),
      { numRuns: RUNS },
    );
  });
});

describeEachBackend("conv2d overflows as float32 arithmetic does", () => {
  it("a sum that passes float32's largest value stays ∞ (PyTorch 1.13: [inf, 0])", () => {
    // rows [3e38, 3e38, -3e38] and [1e30, -1e30, 0] against a kernel of ones: float32 partial sums
    // reach ∞ in the first row and cannot come back; a float64 accumulator would give 3e38
    const x = tensor([3e38, 3e38, -3e38, 1e30, -1e30, 0]).reshape([1, 1, 2, 3]);
    const y = F.conv2d(x, tensor([1, 1, 1]).reshape([1, 1, 1, 3]));
    expect(Array.from(y.toArray())).toEqual([Infinity, 0]);
  });

  it("products that overflow to +∞ and −∞ meet as NaN, not as a finite float64 difference", () => {
    // 1e30·1e30 and 1e30·(−1e30) are ±∞ in float32; float64 would add them to 0
    const x = tensor([1e30, 1e30]).reshape([1, 1, 1, 2]);
    const y = F.conv2d(x, tensor([1e30, -1e30]).reshape([1, 1, 1, 2]));
    expect(Number.isNaN(y.item())).toBe(true);
  });
});
