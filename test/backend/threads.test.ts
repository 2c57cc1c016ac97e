/**
 * Threads: the float32 matrix product split over 1, 2 and 3 threads (the main one and workers on a
 * shared WebAssembly.Memory) gives bit-identical results, over random shapes with batches, both
 * transpose flags and shared (batch stride 0) operands; and the workers really take parts.
 *
 * The split threshold is lowered so that small shapes split too. The reference for each case is the
 * one-thread run of the same instance, and the non-shared exact build (test/backend/reference.ts's
 * `wasm`) must give the same bits as well.
 */
import { availableParallelism } from "node:os";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getNumThreads, setNumThreads } from "../../src/index.js";
import type { Storage } from "../../src/backend/backend.js";
import { activeBackend } from "../../src/backend/index.js";
import { createWasmBackend, WasmBackend } from "../../src/backend/wasm/backend.js";
import { RUNS, expectIdentical, seededValues, wasm } from "./reference.js";

let threaded: WasmBackend;
const initialThreads = getNumThreads();

beforeAll(async () => {
  threaded = await createWasmBackend({ threads: true });
  threaded.splitScale = 1e-9;
  // start the pools of 2 and 3 threads before the property runs: kernels never wait for workers to
  // start (the main thread takes every part meanwhile), so this makes the workers take part
  for (const n of [3, 2]) {
    setNumThreads(n);
    expect(await threaded.startThreads()).not.toBeNull();
  }
});

afterAll(() => {
  setNumThreads(initialThreads);
});

const dim = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 12 }) },
  { weight: 2, arbitrary: fc.integer({ min: 13, max: 70 }) },
  { weight: 1, arbitrary: fc.constantFrom(255, 257, 300) },
);

const caseArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 4 }),
    m: dim,
    k: dim,
    n: dim,
    transA: fc.boolean(),
    transB: fc.boolean(),
    shareA: fc.boolean(),
    shareB: fc.boolean(),
    seed: fc.integer(),
  })
  .filter((c) => c.batch * c.m * c.k * c.n <= 4_000_000);

describe("threads", () => {
  it("getNumThreads defaults to the available cores and setNumThreads checks its argument", () => {
    expect(initialThreads).toBe(Math.min(64, availableParallelism()));
    // Node has SharedArrayBuffer: the default backend is on a shared memory, ready to split
    const backend = activeBackend();
    expect(backend).toBeInstanceOf(WasmBackend);
    expect((backend as WasmBackend).singleThreadReason()).toBeNull();
    expect(() => setNumThreads(0)).toThrow(/positive integer, got 0/);
    expect(() => setNumThreads(1.5)).toThrow(/positive integer, got 1.5/);
    expect(() => setNumThreads(65)).toThrow(/at most 64 threads, got 65/);
    setNumThreads(2);
    expect(getNumThreads()).toBe(2);
  });

  it("float32 matmul is bit-identical on 1, 2 and 3 threads (and to the non-shared build)", () => {
    let splitCases = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const { batch, m, k, n } = c;
        const aStride = c.shareA ? 0 : m * k;
        const bStride = c.shareB ? 0 : k * n;
        const aValues = seededValues("float32", c.shareA ? m * k : batch * m * k, c.seed, (u) => (u() - 0.5) * 8);
        const bValues = seededValues("float32", c.shareB ? k * n : batch * k * n, c.seed + 1, (u) => (u() - 0.5) * 8);
        const what = `matmul batch=${batch} ${m}x${k}x${n} transA=${c.transA} transB=${c.transB} shared=${c.shareA},${c.shareB}`;
        const [sa, sb] = [wasm.fromArray("float32", aValues), wasm.fromArray("float32", bValues)];
        const single = wasm.alloc("float32", batch * m * n);
        wasm.matmul(single, sa, sb, batch, m, k, n, aStride, bStride, c.transA, c.transB);
        const want = Array.from(new Uint32Array(new Float32Array(wasm.read(single)).buffer));
        for (const s of [sa, sb, single]) wasm.free(s);
        const [a, b] = [threaded.fromArray("float32", aValues), threaded.fromArray("float32", bValues)];
        for (const threads of [1, 2, 3]) {
          setNumThreads(threads);
          const out = threaded.alloc("float32", batch * m * n);
          threaded.matmul(out, a, b, batch, m, k, n, aStride, bStride, c.transA, c.transB);
          const got = Array.from(new Uint32Array(new Float32Array(threaded.read(out)).buffer));
          expectIdentical(got, want, `${what} on ${threads} threads`);
          threaded.free(out);
        }
        if (batch * Math.ceil(m / 4) > 1 && k > 0) splitCases++;
        threaded.free(a);
        threaded.free(b);
      }),
      { numRuns: Math.max(20, RUNS >> 1) },
    );
    expect(splitCases).toBeGreaterThan(0);
  });

  it("im2col (32-bit), col2im and max pooling (float32) split by images are bit-identical on 1, 2 and 3 threads", () => {
    const windowArb = fc
      .record({
        batch: fc.integer({ min: 1, max: 7 }),
        channels: fc.integer({ min: 1, max: 4 }),
        height: fc.integer({ min: 1, max: 20 }),
        width: fc.integer({ min: 1, max: 20 }),
        kernelH: fc.integer({ min: 1, max: 4 }),
        kernelW: fc.integer({ min: 1, max: 4 }),
        strideH: fc.integer({ min: 1, max: 3 }),
        strideW: fc.integer({ min: 1, max: 3 }),
        padH: fc.integer({ min: 0, max: 2 }),
        padW: fc.integer({ min: 0, max: 2 }),
        dtype: fc.constantFrom("float32" as const, "int32" as const),
        seed: fc.integer(),
      })
      .map((w) => ({
        ...w,
        outH: Math.floor((w.height + 2 * w.padH - w.kernelH) / w.strideH) + 1,
        outW: Math.floor((w.width + 2 * w.padW - w.kernelW) / w.strideW) + 1,
      }))
      .filter((w) => w.outH > 0 && w.outW > 0);
    fc.assert(
      fc.property(windowArb, (w) => {
        const what = `${w.dtype} ${JSON.stringify(w)}`;
        const xLength = w.batch * w.channels * w.height * w.width;
        const colsLength = w.batch * w.channels * w.kernelH * w.kernelW * w.outH * w.outW;
        const xValues = seededValues(w.dtype, xLength, w.seed, (u) => Math.round((u() - 0.5) * 1000) / 8);
        const gradValues = seededValues("float32", colsLength, w.seed + 1, (u) => (u() - 0.5) * 4);
        // the reference: the non-shared build, on one thread
        const [x, grad] = [wasm.fromArray(w.dtype, xValues), wasm.fromArray("float32", gradValues)];
        const [cols, back] = [wasm.alloc(w.dtype, colsLength), wasm.alloc("float32", xLength)];
        wasm.im2col(cols, x, w);
        wasm.col2im(back, grad, w);
        const wantCols = Array.from(wasm.read(cols));
        const wantBack = Array.from(new Uint32Array(new Float32Array(wasm.read(back)).buffer));
        for (const s of [x, grad, cols, back]) wasm.free(s);
        // max pooling (windows with padding at most half the kernel, as the front end requires)
        const pw = { ...w, padH: Math.min(w.padH, w.kernelH >> 1), padW: Math.min(w.padW, w.kernelW >> 1) };
        pw.outH = Math.floor((pw.height + 2 * pw.padH - pw.kernelH) / pw.strideH) + 1;
        pw.outW = Math.floor((pw.width + 2 * pw.padW - pw.kernelW) / pw.strideW) + 1;
        const pooledLength = pw.batch * pw.channels * pw.outH * pw.outW;
        const poolBits = (backend: WasmBackend): number[][] => {
          const [px, g] = [
            backend.fromArray("float32", xValues),
            backend.fromArray("float32", gradValues.slice(0, pooledLength)),
          ];
          const [out, idx, gx] = [
            backend.alloc("float32", pooledLength),
            backend.alloc("int32", pooledLength),
            backend.alloc("float32", xLength),
          ];
          backend.maxPool2d(out, idx, px, pw);
          backend.maxPool2dBackward(gx, g, idx, pw);
          const bits = [out, idx, gx].map((st) =>
            Array.from(new Uint32Array(new Float32Array(backend.read(st)).buffer)),
          );
          for (const st of [px, g, out, idx, gx]) backend.free(st);
          return bits;
        };
        const wantPool = w.dtype === "float32" ? poolBits(wasm) : [];
        const [tx, tgrad] = [threaded.fromArray(w.dtype, xValues), threaded.fromArray("float32", gradValues)];
        for (const threads of [1, 2, 3]) {
          setNumThreads(threads);
          const [tcols, tback] = [threaded.alloc(w.dtype, colsLength), threaded.alloc("float32", xLength)];
          threaded.fill(tback, 7); // col2im overwrites every pixel
          threaded.im2col(tcols, tx, w);
          threaded.col2im(tback, tgrad, w);
          expectIdentical(Array.from(threaded.read(tcols)), wantCols, `im2col ${what} on ${threads} threads`);
          expectIdentical(
            Array.from(new Uint32Array(new Float32Array(threaded.read(tback)).buffer)),
            wantBack,
            `col2im ${what} on ${threads} threads`,
          );
          threaded.free(tcols);
          threaded.free(tback);
          if (w.dtype === "float32") {
            poolBits(threaded).forEach((bits, i) =>
              expectIdentical(bits, wantPool[i], `maxPool2d ${what} on ${threads} threads, output ${i}`),
            );
          }
        }
        threaded.free(tx);
        threaded.free(tgrad);
      }),
      { numRuns: Math.max(20, RUNS >> 1) },
    );
  });

  it("element-wise kernels (unary ops, fill, fused SGD/Adam/RMSprop steps) cut into 64-element chunks are bit-identical", () => {
    const lengthArb = fc.oneof(
      fc.integer({ min: 0, max: 300 }),
      fc.integer({ min: 1, max: 40 }).chain((c) => fc.integer({ min: -3, max: 3 }).map((d) => Math.max(0, c * 64 + d))),
      fc.integer({ min: 300, max: 5000 }),
    );
    const caseArb = fc.record({
      n: lengthArb,
      dtype: fc.constantFrom("float32" as const, "float64" as const, "int32" as const),
      op: fc.constantFrom(...(["neg", "abs", "sign", "exp", "log", "sqrt", "tanh", "sigmoid", "relu"] as const)),
      flags: fc.record({
        maximize: fc.boolean(),
        weightDecay: fc.constantFrom(0, 0.01),
        momentum: fc.constantFrom(0, 0.9),
        extra: fc.boolean(),
      }),
      seed: fc.integer(),
    });
    /** Every storage's bits after running `body` on `backend` with inputs `values`. */
    const run = (
      backend: WasmBackend,
      dtype: "float32" | "float64" | "int32",
      values: number[][],
      body: (s: Storage[]) => void,
    ): number[][] => {
      const storages = values.map((v) => backend.fromArray(dtype, v));
      body(storages);
      const bits = storages.map((st) => {
        const read = backend.read(st);
        return Array.from(
          dtype === "float64"
            ? new Uint32Array(new Float64Array(read).buffer)
            : new Uint32Array(new Float32Array(read).buffer),
        );
      });
      for (const st of storages) backend.free(st);
      return bits;
    };
    fc.assert(
      fc.property(caseArb, (c) => {
        const { n, dtype } = c;
        const values = [0, 1, 2, 3, 4].map((i) =>
          seededValues(dtype, n, c.seed + i, (u) =>
            dtype === "int32" ? Math.floor((u() - 0.5) * 100) : i === 3 || i === 4 ? u() : (u() - 0.5) * 6,
          ),
        );
        const what = `${dtype} n=${n} ${JSON.stringify(c)}`;
        const bodies: [string, (b: WasmBackend) => (s: Storage[]) => void][] = [
          [`unary ${c.op}`, (b) => (st) => b.unary(c.op, st[1], st[0])],
          ["fill", (b) => (st) => b.fill(st[2], -2.75)],
        ];
        if (dtype !== "int32") {
          const f = c.flags;
          bodies.push(
            [
              "sgdStep",
              (b) => (st) =>
                b.sgdStep(st[0], st[1], f.momentum !== 0 ? st[2] : null, {
                  lr: 0.1,
                  momentum: f.momentum,
                  dampening: 0.1,
                  weightDecay: f.weightDecay,
                  nesterov: f.extra && f.momentum !== 0,
                  maximize: f.maximize,
                  firstStep: false,
                }),
            ],
            [
              "adamStep",
              (b) => (st) =>
                b.adamStep(st[0], st[1], st[2], st[3], f.extra ? st[4] : null, {
                  lr: 0.01,
                  beta1: 0.9,
                  beta2: 0.999,
                  eps: 1e-8,
                  weightDecay: f.weightDecay,
                  decoupledWeightDecay: f.maximize,
                  stepSize: 0.02,
                  biasCorrection2Sqrt: 0.3,
                  maximize: f.maximize,
                }),
            ],
            [
              "rmspropStep",
              (b) => (st) =>
                b.rmspropStep(st[0], st[1], st[3], f.extra ? st[2] : null, f.momentum !== 0 ? st[4] : null, {
                  lr: 0.01,
                  alpha: 0.99,
                  eps: 1e-8,
                  weightDecay: f.weightDecay,
                  momentum: f.momentum,
                  maximize: f.maximize,
                }),
            ],
          );
        }
        for (const [name, body] of bodies) {
          const want = run(wasm, dtype, values, body(wasm));
          for (const threads of [1, 2, 3]) {
            setNumThreads(threads);
            const got = run(threaded, dtype, values, body(threaded));
            got.forEach((bits, i) =>
              expectIdentical(bits, want[i], `${name} ${what}, storage ${i}, ${threads} threads`),
            );
          }
        }
      }),
      { numRuns: Math.max(20, RUNS >> 1) },
    );
  });

  it("the workers take parts of the calls, and a large product splits at the default threshold", async () => {
    const backend = await createWasmBackend({ threads: true });
    const size = 256;
    const values = seededValues("float32", size * size, 7, (u) => u() - 0.5);
    const [a, b] = [backend.fromArray("float32", values), backend.fromArray("float32", values)];
    const single = backend.alloc("float32", size * size);
    const split = backend.alloc("float32", size * size);
    setNumThreads(1);
    backend.matmul(single, a, b, 1, size, size, size, 0, 0, false, true);
    setNumThreads(2);
    const own = (await backend.startThreads())!;
    const want = Array.from(new Uint32Array(new Float32Array(backend.read(single)).buffer));
    for (let i = 0; i < 20; i++) {
      backend.matmul(split, a, b, 1, size, size, size, 0, 0, false, true);
      // (two parts packing into one workspace at the same time fail here at once)
      expectIdentical(
        Array.from(new Uint32Array(new Float32Array(backend.read(split)).buffer)),
        want,
        `256³ on 2 threads, call ${i}`,
      );
    }
    // a worker blocked in Atomics.wait wakes in microseconds; over 20 calls it takes at least one part
    expect(own.workerParts()).toBeGreaterThan(0);
    for (const s of [a, b, single, split]) backend.free(s);
  });
});
