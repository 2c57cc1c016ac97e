/**
 * Races between calls, and memory growth. Calls of different part counts in quick succession: a
 * worker still looking at the previous call must never take a part of it while the main thread
 * writes the next call's arguments. Memory growth: the main thread grows the shared memory (it alone allocates), and
 * every worker's kernels must see the new size, including in bulk-memory instructions (memory.fill
 * in im2col's padding rows), which check bounds against the instance's own record of the size.
 * The hard case is growth while a worker is still starting: its copy of the memory object can miss
 * the growth, so a worker refreshes it (memory.grow(0)) when a call's memory is larger than it knows.
 */
import { expect, it } from "vitest";
import { setNumThreads } from "../../src/index.js";
import { createWasmBackend } from "../../src/backend/wasm/backend.js";
import type { Storage } from "../../src/backend/backend.js";
import { expectIdentical, seededValues, wasm } from "./reference.js";

it("workers see memory the main thread grew while they started and after", async () => {
  const w = {
    batch: 8,
    channels: 2,
    height: 9,
    width: 9,
    kernelH: 3,
    kernelW: 3,
    strideH: 1,
    strideW: 1,
    padH: 1,
    padW: 1,
    outH: 9,
    outW: 9,
  };
  const xLength = w.batch * w.channels * w.height * w.width;
  const colsLength = xLength * w.kernelH * w.kernelW;
  const values = seededValues("float32", xLength, 3);
  const [rx, rcols] = [wasm.fromArray("float32", values), wasm.alloc("float32", colsLength)];
  wasm.im2col(rcols, rx, w);
  const want = Array.from(wasm.read(rcols));
  setNumThreads(3);
  for (let attempt = 0; attempt < 3; attempt++) {
    const backend = await createWasmBackend({ threads: true });
    backend.splitScale = 1e-9;
    const kept: Storage[] = [];
    const starting = backend.startThreads();
    // grow the memory, 64 KiB at a time, for as long as the workers are starting up
    const pool = (
      backend as unknown as { pool: { readyWorkers(): number; size: number; workerParts(): number } | null }
    ).pool!;
    await new Promise((resolve) => setTimeout(resolve, 0));
    const until = performance.now() + 3000;
    while (pool.readyWorkers() < pool.size && performance.now() < until) kept.push(backend.alloc("float32", 1 << 14));
    await starting;
    for (let round = 0; round < 20; round++) {
      kept.push(backend.alloc("float32", 1 << 16));
      const [x, cols] = [backend.fromArray("float32", values), backend.alloc("float32", colsLength)];
      for (let i = 0; i < 4; i++) backend.im2col(cols, x, w);
      expectIdentical(Array.from(backend.read(cols)), want, `attempt ${attempt} round ${round}`);
    }
    expect(pool.workerParts()).toBeGreaterThan(0);
    for (const s of kept) backend.free(s);
  }
  setNumThreads(1);
});

it("back-to-back calls with different part counts never mix their arguments", async () => {
  const backend = await createWasmBackend({ threads: true });
  backend.splitScale = 1e-9;
  setNumThreads(3);
  const pool = (await backend.startThreads())!;
  // 128 elements make 2 parts, 1024 make 12: every other call has more parts than the one before
  const lengths = [128, 1024];
  const inputs = lengths.map((n) =>
    backend.fromArray(
      "float32",
      Array.from({ length: n }, (_, i) => i + 1),
    ),
  );
  const outputs = lengths.map((n) => backend.alloc("float32", n));
  const until = performance.now() + 1500;
  let calls = 0;
  while (performance.now() < until) {
    for (let j = 0; j < 2; j++) {
      backend.fill(outputs[j], 0);
      backend.unary("neg", outputs[j], inputs[j]);
      calls++;
    }
    const out = backend.read(outputs[1]);
    if (out[0] !== -1 || out[1023] !== -1024 || out[500] !== -501)
      throw new Error(`call ${calls}: wrong result ${out[0]} ${out[500]} ${out[1023]}`);
  }
  expect(pool.workerParts()).toBeGreaterThan(0);
  setNumThreads(1);
});
