/**
 * The WebAssembly allocator (assembly/memory.ts) is sound: it never hands out memory that a live
 * tensor holds, running out is a clear error every time (also at the 4 GiB limit, where a 32-bit
 * heap top could wrap), and freed neighbours merge so that live bytes, not history, decide what fits.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWasmBackend, type WasmBackend } from "../../src/backend/wasm/backend.js";
import type { Storage } from "../../src/backend/backend.js";
import { RUNS } from "./reference.js";

const MiB = 2 ** 20;

/**
 * A backend whose storages all stay in its memory: inside a scope, sweeps (which move unused
 * unscoped storages to the JavaScript heap) leave them alone, so these tests see the allocator alone.
 */
async function scopedBackend(maximumBytes?: number): Promise<WasmBackend> {
  const backend = await createWasmBackend(maximumBytes === undefined ? {} : { maximumBytes });
  backend.startScope();
  return backend;
}

/** Every held storage still reads the marker it was filled with. */
function expectIntact(backend: WasmBackend, held: readonly { s: Storage; marker: number }[]): void {
  for (const { s, marker } of held) {
    const v = backend.view(s);
    if (v.length > 0 && (v[0] !== marker || v[v.length - 1] !== marker)) {
      throw new Error(`a live tensor was overwritten: expected ${marker}, read ${v[0]} … ${v[v.length - 1]}`);
    }
  }
}

describe("wasm allocator", () => {
  it("walks the heap to the 4 GiB limit: every failure is a RangeError and no live tensor is touched", async () => {
    const backend = await scopedBackend();
    const held: { s: Storage; marker: number }[] = [];
    let marker = 1;
    // halve the request each time it fails, down to one element: the heap ends packed to the limit
    for (let elements = 64 * 2 ** 20; elements >= 1;) {
      try {
        const s = backend.alloc("float32", elements);
        // mark only the first and last elements so untouched pages stay uncommitted
        const view = backend.view(s);
        view[0] = marker;
        view[view.length - 1] = marker;
        held.push({ s, marker: marker++ });
      } catch (error) {
        expect(error).toBeInstanceOf(RangeError);
        expect(String(error)).toMatch(/WebAssembly memory exhausted/);
        elements = Math.floor(elements / 2);
      }
    }
    expect(backend.memoryStats().heapBytes).toBeGreaterThan(4 * 2 ** 30 - MiB);
    // at the limit every further request fails, again and again, and hands out nothing
    for (let i = 0; i < 5; i++) expect(() => backend.alloc("float32", 16)).toThrow(RangeError);
    const zeros = () => backend.alloc("float32", 4);
    expect(zeros).toThrow(RangeError);
    expectIntact(backend, held);
    // freeing one block makes room for exactly that much again, zero-filled
    const freed = held.splice(held.length >> 1, 1)[0];
    backend.free(freed.s);
    const again = backend.alloc("float32", freed.s.length);
    expect(backend.view(again)[0]).toBe(0);
    expect(backend.view(again)[freed.s.length - 1]).toBe(0);
    expectIntact(backend, held);
    backend.free(again);
    for (const { s } of held) backend.free(s);
    expect(backend.memoryStats().liveBytes).toBe(0);
  });

  it("freed neighbours merge: after filling memory with 1 MiB tensors and freeing them, 2 MiB fits", async () => {
    const backend = await scopedBackend(16 * MiB);
    const held: Storage[] = [];
    try {
      for (;;) held.push(backend.alloc("float32", MiB / 4));
    } catch (error) {
      expect(error).toBeInstanceOf(RangeError);
    }
    expect(held.length).toBeGreaterThan(10);
    // free every other one first (no two free blocks touch), then the rest
    for (let i = 0; i < held.length; i += 2) backend.free(held[i]);
    expect(() => backend.alloc("float32", MiB / 2)).toThrow(/live tensors hold/);
    for (let i = 1; i < held.length; i += 2) backend.free(held[i]);
    const big: Storage[] = [];
    for (let i = 0; i < Math.floor(held.length / 2) - 1; i++) big.push(backend.alloc("float32", MiB / 2));
    expect(big.length).toBeGreaterThan(4);
  });

  it("random alloc/free sequences never overlap live blocks and account every byte", async () => {
    const backend = await scopedBackend(8 * MiB);
    let marker = 1;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300_000 }), fc.nat()), { maxLength: 80 }),
        (ops) => {
          const held: { s: Storage; marker: number }[] = [];
          for (const [allocate, n, pick] of ops) {
            if (allocate || held.length === 0) {
              try {
                const s = backend.alloc("int32", n);
                backend.fill(s, marker);
                held.push({ s, marker: marker++ });
              } catch (error) {
                expect(error).toBeInstanceOf(RangeError);
              }
            } else {
              backend.free(held.splice(pick % held.length, 1)[0].s);
            }
            expectIntact(backend, held);
          }
          for (const { s } of held) backend.free(s);
          expect(backend.memoryStats().liveBytes).toBe(0);
        },
      ),
      { numRuns: RUNS },
    );
    // everything merged back: the heap top is where it started
    expect(backend.memoryStats().heapBytes).toBeLessThan(64 * 1024);
  });

  it("the out-of-memory error names tidy and dispose", async () => {
    const backend = await scopedBackend(2 * MiB);
    expect(() => backend.alloc("float32", MiB)).toThrow(/tidy\(\)|dispose\(\)/);
  });
});
