/**
 * Selecting the WebAssembly backend through the public entry points: feature detection, loading
 * once, tensors remembering their backend, and mixing refused with a clear error.
 */
import { afterAll, expect, it } from "vitest";
import { activeBackend, wasmSimdSupported } from "../../src/backend/index.js";
import { getBackend, setBackend, tensor } from "../../src/index.js";

afterAll(async () => {
  await setBackend("js");
});

it("detects WebAssembly SIMD (Node ≥ 16.4 has it)", () => {
  expect(wasmSimdSupported()).toBe(true);
});

it('setBackend("wasm") loads the kernels once and switches; "js" switches back', async () => {
  await setBackend("wasm");
  expect(getBackend()).toBe("wasm");
  const first = activeBackend();
  await setBackend("js");
  expect(getBackend()).toBe("js");
  await setBackend("wasm");
  expect(activeBackend()).toBe(first);
});

it("tensors keep the backend they were created on, and mixing backends is an error", async () => {
  await setBackend("wasm");
  const onWasm = tensor([1, 2, 3]);
  await setBackend("js");
  const onJs = tensor([1, 2, 3]);
  expect(onWasm.backend.name).toBe("wasm");
  expect(Array.from(onWasm.mul(2).toArray())).toEqual([2, 4, 6]);
  expect(() => onWasm.add(onJs)).toThrow(/different backends/);
});

it("rejects an unknown backend name", async () => {
  await expect(setBackend("gpu" as never)).rejects.toThrow(/unknown backend "gpu"/);
});
