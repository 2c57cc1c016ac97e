/**
 * Which backend new tensors are created on. Tensors remember the backend that owns their storage,
 * so switching backends never reinterprets memory that belongs to the other one.
 *
 * The default is the WebAssembly backend wherever the runtime supports WebAssembly SIMD (every
 * current browser, Node ≥ 16.4, Deno), loaded when the package is imported; "js" otherwise.
 */
import type { Backend } from "./backend.js";
import { JsBackend } from "./js.js";
import { checkOptions } from "../options.js";
import { wasmRelaxedSimdSupported, wasmSimdSupported } from "./wasm/simd.js";

import { getNumThreads, setNumThreads, sharedMemoryUnavailable } from "./wasm/pool.js";

export { wasmRelaxedSimdSupported, wasmSimdSupported, getNumThreads, setNumThreads };

export type BackendName = "js" | "wasm";

const jsBackend = new JsBackend();
let current: Backend = jsBackend;
let wasmBackend: Promise<Backend> | null = null;
let wasmRelaxedBackend: Promise<Backend> | null = null;

/** The backend that new tensors are created on. */
export function activeBackend(): Backend {
  return current;
}

/** The name of the active backend: `"js"` or `"wasm"`. */
export function getBackend(): BackendName {
  // `current` is only ever one of the two backends setBackend selects
  return current.name as BackendName;
}

/** The two WebAssembly backends (exact, relaxed SIMD), each instantiated once (a failed attempt may be retried). */
function loadWasmBackend(relaxedSimd: boolean): Promise<Backend> {
  // on a shared memory (the threads builds) wherever SharedArrayBuffer is available, so that
  // setNumThreads can take effect at any time; the pool itself starts only at the first large kernel
  const load = () =>
    import("./wasm/backend.js")
      .then((wasm) => wasm.createWasmBackend({ relaxedSimd, threads: sharedMemoryUnavailable() === null }))
      .catch((error: unknown) => {
        if (relaxedSimd) wasmRelaxedBackend = null;
        else wasmBackend = null;
        throw error;
      });
  return relaxedSimd ? (wasmRelaxedBackend ??= load()) : (wasmBackend ??= load());
}

export interface SetBackendOptions {
  /**
   * "wasm" only: run the kernels built with relaxed SIMD, whose float32 matrix products (and so
   * conv2d and linear layers) use `f32x4.relaxed_madd`, a fused multiply-add on CPUs that have one.
   * Faster GEMM, but rounded differently: results differ from the exact build within the matmul
   * error bound (src/backend/wasm/README.md), and may differ between CPUs. It is a second instance
   * with its own memory, and runs on threads exactly as the exact build does: on a shared memory
   * wherever SharedArrayBuffer exists (`setNumThreads`/`getNumThreads` apply, results are
   * bit-identical for every thread count), on one thread elsewhere. Needs a runtime that
   * validates relaxed SIMD (`wasmRelaxedSimdSupported()`): Chrome ≥ 114, Firefox ≥ 145, Node ≥ 21,
   * Deno ≥ 1.33; Node 20 with `--experimental-wasm-relaxed-simd`. Default false (the exact build).
   */
  relaxedSimd?: boolean;
}

/**
 * Selects the backend for tensors created from now on. Async because loading WebAssembly is.
 * `"wasm"` needs WebAssembly SIMD (`wasmSimdSupported()`); every current browser, Node ≥ 16.4 and
 * Deno have it. Both WebAssembly builds (exact, and `{ relaxedSimd: true }`) split their large
 * kernels over `getNumThreads()` threads where SharedArrayBuffer exists and run on one thread
 * elsewhere (`WasmBackend.singleThreadReason()` says why).
 */
export async function setBackend(name: BackendName, options?: SetBackendOptions): Promise<void> {
  const { relaxedSimd = false } = checkOptions("setBackend", options, ["relaxedSimd"]);
  if (typeof relaxedSimd !== "boolean")
    throw new TypeError(`setBackend: relaxedSimd must be a boolean, got ${String(relaxedSimd)}`);
  if (name === "js") {
    if (relaxedSimd) throw new TypeError('setBackend("js"): relaxedSimd applies to the "wasm" backend only');
    current = jsBackend;
    return;
  }
  if (name === "wasm") {
    if (!wasmSimdSupported()) {
      throw new Error('setBackend("wasm"): this runtime does not support WebAssembly SIMD; use "js"');
    }
    if (relaxedSimd && !wasmRelaxedSimdSupported()) {
      throw new Error(
        'setBackend("wasm", { relaxedSimd: true }): this runtime does not validate WebAssembly relaxed SIMD ' +
          "(Node 20 needs --experimental-wasm-relaxed-simd; Node ≥ 21, Deno ≥ 1.33, Chrome ≥ 114 and Firefox ≥ 145 have it); " +
          'the backend is unchanged. Use setBackend("wasm") for the exact build',
      );
    }
    current = await loadWasmBackend(relaxedSimd);
    return;
  }
  throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)}; expected "js" or "wasm"`);
}

// The default backend: WebAssembly where the runtime has SIMD, the JS reference otherwise (or if
// the module fails to load, which only a broken runtime would make it do).
if (wasmSimdSupported()) {
  try {
    current = await loadWasmBackend(false);
  } catch {
    current = jsBackend;
  }
}
