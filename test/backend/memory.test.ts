/**
 * Storage lifetime on the WebAssembly backend: block reuse keeps the memory flat, out-of-memory is
 * a clear error, views survive memory growth, freed storage cannot be used, scopes free what they
 * allocated, and the FinalizationRegistry returns the blocks of unreachable storages.
 */
import fc from "fast-check";
import vm from "node:vm";
import v8 from "node:v8";
import { describe, expect, it } from "vitest";
import { createWasmBackend } from "../../src/backend/wasm/backend.js";
import type { DType } from "../../src/dtype.js";
import { DTYPES, RUNS } from "./reference.js";

/** V8's gc(), reachable from a test without node flags. */
function exposeGc(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("wasm storage memory", () => {
  it("allocating and freeing in a loop keeps memory.buffer.byteLength flat", async () => {
    const backend = await createWasmBackend();
    const sizes = [1, 3, 16, 100, 1000, 4096, 65_537, 250_000];
    const cycle = () => {
      const held = sizes.flatMap((n) => DTYPES.map((dtype) => backend.alloc(dtype, n)));
      for (const s of held) backend.free(s);
    };
    cycle();
    const memory = backend.memory.buffer.byteLength;
    const heap = backend.memoryStats().heapBytes;
    for (let i = 0; i < 2000; i++) cycle();
    expect(backend.memory.buffer.byteLength).toBe(memory);
    expect(backend.memoryStats().heapBytes).toBe(heap);
    expect(backend.memoryStats().liveBytes).toBe(0);
  });

  it("reuses blocks across random allocation patterns, and reallocated blocks read as zeros", async () => {
    const backend = await createWasmBackend();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...DTYPES), fc.integer({ min: 0, max: 5000 })), { maxLength: 30 }),
        (requests) => {
          const held = requests.map(([dtype, n]) => {
            const s = backend.alloc(dtype as DType, n);
            expect(Array.from(backend.read(s)).every((x) => x === 0)).toBe(true);
            backend.fill(s, 7); // dirty it for the next round
            return s;
          });
          for (const s of held) backend.free(s);
        },
      ),
      { numRuns: RUNS },
    );
    // every block is back on a free list: the heap holds what the largest round needed, no more
    expect(backend.memoryStats().liveBytes).toBe(0);
  });

  it("running out of memory throws a clear error, and the backend keeps working", async () => {
    const backend = await createWasmBackend({ maximumBytes: 4 * 2 ** 20 });
    const held = [];
    let error: unknown = null;
    try {
      for (let i = 0; i < 100; i++) held.push(backend.alloc("float32", 100_000));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RangeError);
    expect(String(error)).toMatch(/WebAssembly memory exhausted: requested 400000 bytes \(100000 float32 elements\)/);
    expect(held.length).toBeGreaterThan(5);
    expect(() => backend.alloc("float64", 2 ** 30)).toThrow(/WebAssembly memory exhausted: requested 8589934592 bytes/);
    for (const s of held) backend.free(s);
    const again = backend.fromArray("float32", [1, 2, 3]);
    expect(Array.from(backend.read(again))).toEqual([1, 2, 3]);
  });

  it("an allocation that would exceed 4 GiB fails cleanly even with the default maximum", async () => {
    const backend = await createWasmBackend();
    expect(() => backend.alloc("float64", 600_000_000)).toThrow(
      /WebAssembly memory exhausted: requested 4800000000 bytes/,
    );
  });

  it("storages stay readable and writable across memory growth (views are made fresh)", async () => {
    const backend = await createWasmBackend();
    const first = backend.fromArray("float64", [1.5, -2, 3]);
    const before = backend.memory.buffer;
    const big = backend.alloc("float32", 8_000_000); // grows the memory, detaching `before`
    expect(backend.memory.buffer).not.toBe(before);
    expect(Array.from(backend.read(first))).toEqual([1.5, -2, 3]);
    backend.write(first, [4, 5, 6]);
    const out = backend.alloc("float64", 3);
    backend.binary("add", out, first, [1], first, [1], [3]);
    expect(Array.from(backend.read(out))).toEqual([8, 10, 12]);
    backend.free(big);
  });

  it("a freed storage cannot be used; freeing twice is harmless", async () => {
    const backend = await createWasmBackend();
    const s = backend.fromArray("float32", [1, 2]);
    backend.free(s);
    backend.free(s);
    expect(() => backend.read(s)).toThrow(/storage was freed/);
    expect(() => backend.fill(s, 1)).toThrow(/storage was freed/);
  });

  it("scopes free what they allocated, except what is kept or returned", async () => {
    const backend = await createWasmBackend();
    const outside = backend.alloc("float32", 10);
    backend.startScope();
    const temporary = backend.alloc("float32", 1000);
    const kept = backend.alloc("float32", 1000);
    backend.keep(kept);
    backend.startScope();
    const inner = backend.alloc("float32", 1000);
    const returned = backend.alloc("float32", 1000);
    backend.endScope([returned]); // frees `inner`, hands `returned` to the outer scope
    expect(() => backend.read(inner)).toThrow(/freed/);
    expect(backend.read(returned).length).toBe(1000);
    backend.endScope(); // frees `temporary` and `returned`
    expect(() => backend.read(temporary)).toThrow(/freed/);
    expect(() => backend.read(returned)).toThrow(/freed/);
    expect(backend.read(kept).length).toBe(1000);
    expect(backend.read(outside).length).toBe(10);
    expect(() => backend.endScope()).toThrow(/without a matching startScope/);
  });

  it("a loop of scoped steps keeps the heap exactly flat", async () => {
    const backend = await createWasmBackend();
    const weights = backend.fromArray(
      "float32",
      Array.from({ length: 4096 }, (_, i) => i / 4096),
    );
    const step = () => {
      backend.startScope();
      const x = backend.alloc("float32", 4096);
      backend.unary("exp", x, weights);
      const y = backend.alloc("float32", 64 * 64);
      backend.matmul(y, x, weights, 1, 64, 64, 64, 0, 0, false, true);
      const s = backend.alloc("float32", 1);
      backend.reduce("sum", s, y, 1, 4096, 1);
      backend.addScaled(weights, weights, x, -1e-6);
      backend.endScope();
    };
    for (let i = 0; i < 10; i++) step();
    const heap = backend.memoryStats().heapBytes;
    const live = backend.memoryStats().liveBytes;
    for (let i = 0; i < 1000; i++) step();
    expect(backend.memoryStats().heapBytes).toBe(heap);
    expect(backend.memoryStats().liveBytes).toBe(live);
  });

  it("the garbage collector returns the blocks of unreachable storages (FinalizationRegistry)", async () => {
    const gc = exposeGc();
    const backend = await createWasmBackend();
    const baseline = backend.memoryStats().liveBytes;
    for (let i = 0; i < 200; i++) backend.alloc("float32", 10_000); // 40 KB each, dropped at once
    expect(backend.memoryStats().liveBytes).toBeGreaterThan(baseline + 200 * 40_000 - 1);
    const peak = backend.memoryStats().heapBytes;
    // collection happens in GC, finalization callbacks on a later turn of the event loop
    for (let round = 0; round < 10 && backend.memoryStats().liveBytes > baseline; round++) {
      gc();
      await yieldToEventLoop();
    }
    expect(backend.memoryStats().liveBytes).toBe(baseline);
    // and the freed bytes are reused: a second wave needs no new memory
    const memory = backend.memory.buffer.byteLength;
    for (let i = 0; i < 200; i++) backend.alloc("float32", 10_000);
    expect(backend.memoryStats().heapBytes).toBe(peak);
    expect(backend.memory.buffer.byteLength).toBe(memory);
  });
});
