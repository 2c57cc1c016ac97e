/**
 * Without SharedArrayBuffer (a browser page that is not cross-origin isolated, or a runtime without
 * it) the package loads the non-shared build and runs everything on one thread: setNumThreads says
 * so once, getNumThreads() is 1, and large products, conv layers and their gradients still work.
 *
 * Vitest gives each test file its own module graph, so removing the global before the package is
 * first imported here affects this file only.
 */
import { afterAll, describe, expect, it, vi } from "vitest";

const saved = globalThis.SharedArrayBuffer;
// @ts-expect-error: the point of this file is a runtime without it
delete globalThis.SharedArrayBuffer;
const gradstep = await import("../../src/index.js");
const { activeBackend } = await import("../../src/backend/index.js");
const { WasmBackend } = await import("../../src/backend/wasm/backend.js");

afterAll(() => {
  globalThis.SharedArrayBuffer = saved;
});

describe("threads without SharedArrayBuffer", () => {
  it("the wasm backend runs on one thread and says why", () => {
    expect(typeof globalThis.SharedArrayBuffer).toBe("undefined");
    expect(gradstep.getBackend()).toBe("wasm");
    const backend = activeBackend();
    expect(backend).toBeInstanceOf(WasmBackend);
    expect((backend as InstanceType<typeof WasmBackend>).singleThreadReason()).toMatch(
      /SharedArrayBuffer is not available/,
    );
    expect(gradstep.getNumThreads()).toBe(1);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    gradstep.setNumThreads(4);
    gradstep.setNumThreads(3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(
      /setNumThreads\(4\): running on one thread because SharedArrayBuffer is not available/,
    );
    warn.mockRestore();
    expect(gradstep.getNumThreads()).toBe(1);
  });

  it("large products, conv layers and their gradients work", async () => {
    const { nn, randn, manualSeed, setBackend } = gradstep;
    manualSeed(0);
    const a = randn(192, 256);
    const b = randn(256, 160);
    const got = a.matmul(b).toArray();
    const want = await (async () => {
      await setBackend("js");
      try {
        const [ja, jb] = [gradstep.tensor(a.tolist()), gradstep.tensor(b.tolist())];
        return ja.matmul(jb).toArray();
      } finally {
        await setBackend("wasm");
      }
    })();
    expect(got.length).toBe(192 * 160);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-3);

    const conv = new nn.Conv2d(3, 16, 3, { padding: 1 });
    const x = randn(8, 3, 32, 32);
    const loss = conv.forward(x).square().mean();
    loss.backward();
    const grad = Array.from(conv.weight.grad!.toArray());
    expect(grad.every(Number.isFinite)).toBe(true);
    expect(grad.some((g) => g !== 0)).toBe(true);
  });
});
