/**
 * Threads: the float32 matrix product split over 1, 2 and 3 threads (the main one and workers on a
 * shared WebAssembly.Memory) gives bit-identical results, over random shapes with batches, both
 * transpose flags and shared (batch stride 0) operands; and the workers really take parts. So do
 * im2col/col2im/pooling, element-wise kernels, binary ops (random shapes, broadcasts, dtypes, ops)
 * and reductions (random [outer, size, inner] views, with ties).
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
import { RUNS, contiguous, expectIdentical, seededValues, wasm } from "./reference.js";

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

/**
 * Runs `check` (a property: for each case, `threaded` gives the bits of the non-shared build) on 1,
 * 2 and 3 threads, each with its pool started first and kept for the whole run, so that workers
 * take parts while the main thread takes others (changing the thread count per case would restart
 * the pool every time, and the main thread takes every part while workers start). Returns the
 * parts the workers took.
 */
async function onEachThreadCount(check: (threads: number) => void): Promise<number> {
  let workerParts = 0;
  for (const threads of [1, 2, 3]) {
    setNumThreads(threads);
    const pool = await threaded.startThreads();
    const before = pool?.workerParts() ?? 0;
    check(threads);
    workerParts += (pool?.workerParts() ?? 0) - before;
  }
  return workerParts;
}

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

  it("binary ops (every op and dtype, broadcast and in place) split into 64-element units of rows are bit-identical", async () => {
    const ops = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"] as const;
    // sizes around the 64-element unit and the SIMD width, so that cuts fall inside rows and before tails
    const size = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 9 }) },
      { weight: 2, arbitrary: fc.constantFrom(63, 64, 65, 127, 129, 190) },
      { weight: 1, arbitrary: fc.integer({ min: 10, max: 300 }) },
    );
    const caseArb = fc
      .record({
        shape: fc.array(size, { minLength: 1, maxLength: 4 }),
        // per dimension, whether a / b is broadcast along it (stride 0)
        aBroadcast: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        bBroadcast: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        dtype: fc.constantFrom("float32" as const, "float64" as const, "int32" as const),
        op: fc.constantFrom(...ops),
        inPlace: fc.boolean(),
        seed: fc.integer(),
      })
      .filter((c) => c.shape.reduce((n, d) => n * d, 1) <= 60_000);
    const bitsOf = (dtype: string, read: ArrayLike<number>): number[] =>
      Array.from(
        dtype === "float64"
          ? new Uint32Array(new Float64Array(read).buffer)
          : dtype === "float32"
            ? new Uint32Array(new Float32Array(read).buffer)
            : Int32Array.from(read),
      );
    let rowCuts = 0;
    const workerParts = await onEachThreadCount((threads) =>
      fc.assert(
        fc.property(caseArb, (c) => {
          const { shape, dtype } = c;
          const numel = shape.reduce((n, d) => n * d, 1);
          // an operand's own shape has 1 where it is broadcast; its strides are row-major over that, 0 there
          const operand = (broadcast: boolean[]) => {
            const own = shape.map((d, i) => (broadcast[i] ? 1 : d));
            const strides = contiguous(own).map((s, i) => (broadcast[i] ? 0 : s));
            return { length: own.reduce((n, d) => n * d, 1), strides };
          };
          const inPlace = c.inPlace && !c.aBroadcast.slice(0, shape.length).some((x) => x);
          const a = operand(inPlace ? [false, false, false, false] : c.aBroadcast);
          const b = operand(c.bBroadcast);
          const aValues = seededValues(dtype, a.length, c.seed);
          const bValues = seededValues(dtype, b.length, c.seed + 1);
          const what = `${c.op} ${dtype} [${shape}] a strides [${a.strides}] b strides [${b.strides}] in place ${inPlace}`;
          const run = (backend: WasmBackend): number[] => {
            const [sa, sb] = [backend.fromArray(dtype, aValues), backend.fromArray(dtype, bValues)];
            const out = inPlace ? sa : backend.alloc(dtype, numel);
            backend.binary(c.op, out, sa, a.strides, sb, b.strides, shape);
            const bits = bitsOf(dtype, backend.read(out));
            for (const st of new Set([sa, sb, out])) backend.free(st);
            return bits;
          };
          expectIdentical(run(threaded), run(wasm), `${what} on ${threads} threads`);
          // (a cut inside a row: some row longer than one unit, with more units than parts)
          if (shape[shape.length - 1] > 64) rowCuts++;
        }),
        { numRuns: Math.max(40, RUNS >> 1) },
      ),
    );
    expect(rowCuts).toBeGreaterThan(0);
    expect(workerParts).toBeGreaterThan(0);
  });

  it("reductions (sum, max, min, argmax, argmin; every dtype) split over whole outputs are bit-identical", async () => {
    const extent = fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 1, max: 9 }) },
      { weight: 2, arbitrary: fc.constantFrom(63, 64, 65, 128, 130) },
      { weight: 1, arbitrary: fc.integer({ min: 10, max: 300 }) },
    );
    const caseArb = fc
      .record({
        outer: extent,
        size: fc.oneof(extent, fc.constant(0)),
        inner: extent,
        dtype: fc.constantFrom("float32" as const, "float64" as const, "int32" as const),
        op: fc.constantFrom("sum" as const, "max" as const, "min" as const, "argmax" as const, "argmin" as const),
        // few distinct values make ties, where the first extreme must win on every cut
        ties: fc.boolean(),
        seed: fc.integer(),
      })
      .filter((c) => c.outer * c.size * c.inner <= 60_000 && (c.size > 0 || c.op === "sum"));
    const workerParts = await onEachThreadCount((threads) =>
      fc.assert(
        fc.property(caseArb, (c) => {
          const { outer, size, inner, dtype } = c;
          const outDtype = c.op === "argmax" || c.op === "argmin" ? "int32" : dtype;
          const values = seededValues(
            dtype,
            outer * size * inner,
            c.seed,
            c.ties ? (u) => [0, -0, 1, -1, 2][Math.floor(u() * 5)] : undefined,
          );
          const what = `${c.op} ${dtype} [${outer}, ${size}, ${inner}] ties ${c.ties}`;
          const run = (backend: WasmBackend): number[] => {
            const a = backend.fromArray(dtype, values);
            const out = backend.alloc(outDtype, outer * inner);
            backend.reduce(c.op, out, a, outer, size, inner);
            const read = backend.read(out);
            const bits = Array.from(
              outDtype === "float64"
                ? new Uint32Array(new Float64Array(read).buffer)
                : outDtype === "float32"
                  ? new Uint32Array(new Float32Array(read).buffer)
                  : Int32Array.from(read),
            );
            backend.free(a);
            backend.free(out);
            return bits;
          };
          expectIdentical(run(threaded), run(wasm), `${what} on ${threads} threads`);
        }),
        { numRuns: Math.max(40, RUNS >> 1) },
      ),
    );
    expect(workerParts).toBeGreaterThan(0);
  });

  it("large broadcast binary ops and reductions give the same bits, call after call, while the workers run parts alongside", async () => {
    // parts that really run at once: a part that wrote outside its own state (an odometer counter
    // shared between parts, lanes merged through static memory) would corrupt another one here
    setNumThreads(3);
    const pool = (await threaded.startThreads())!;
    const before = pool.workerParts();
    const binaryCases = [
      { op: "add", dtype: "float32", shape: [4096, 33], aStrides: [33, 1], bStrides: [0, 1] },
      { op: "mul", dtype: "float64", shape: [64, 50, 40], aStrides: [2000, 40, 1], bStrides: [40, 0, 1] },
      { op: "sub", dtype: "int32", shape: [300, 7, 65], aStrides: [0, 65, 1], bStrides: [455, 65, 1] },
    ] as const;
    for (const c of binaryCases) {
      const [aLength, bLength] = [c.aStrides, c.bStrides].map((st) =>
        c.shape.reduce((n, d, i) => n + (d - 1) * st[i], 1),
      );
      const [aValues, bValues] = [seededValues(c.dtype, aLength, 1), seededValues(c.dtype, bLength, 2)];
      const numel = c.shape.reduce((n, d) => n * d, 1);
      const run = (backend: WasmBackend): number[] => {
        const [a, b, out] = [
          backend.fromArray(c.dtype, aValues),
          backend.fromArray(c.dtype, bValues),
          backend.alloc(c.dtype, numel),
        ];
        backend.binary(c.op, out, a, c.aStrides, b, c.bStrides, c.shape);
        const bits = Array.from(new Int32Array(backend.read(out).buffer));
        for (const st of [a, b, out]) backend.free(st);
        return bits;
      };
      const want = run(wasm);
      for (let i = 0; i < 10; i++) expectIdentical(run(threaded), want, `${JSON.stringify(c)}, call ${i}`);
    }
    const reduceCases = [
      { op: "sum", dtype: "float32", outer: 3, size: 500, inner: 700 },
      { op: "argmax", dtype: "float32", outer: 3000, size: 65, inner: 1 },
      { op: "min", dtype: "float64", outer: 2000, size: 33, inner: 1 },
      { op: "argmin", dtype: "int32", outer: 5, size: 40, inner: 1000 },
    ] as const;
    for (const c of reduceCases) {
      const values = seededValues(c.dtype, c.outer * c.size * c.inner, 3, (u) => Math.floor(u() * 50) - 25);
      const outDtype = c.op.startsWith("arg") ? "int32" : c.dtype;
      const run = (backend: WasmBackend): number[] => {
        const [a, out] = [backend.fromArray(c.dtype, values), backend.alloc(outDtype, c.outer * c.inner)];
        backend.reduce(c.op, out, a, c.outer, c.size, c.inner);
        const bits = Array.from(new Int32Array(backend.read(out).buffer));
        backend.free(a);
        backend.free(out);
        return bits;
      };
      const want = run(wasm);
      for (let i = 0; i < 10; i++) expectIdentical(run(threaded), want, `${JSON.stringify(c)}, call ${i}`);
    }
    expect(pool.workerParts()).toBeGreaterThan(before);
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
