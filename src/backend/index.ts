/**
 * Which backend new tensors are created on. Tensors remember the backend that owns their storage,
 * so switching backends never reinterprets memory that belongs to the other one.
 *
 * The default is the WebAssembly backend wherever the runtime supports WebAssembly SIMD (every
 * current browser, Node ≥ 16.4, Deno), loaded when the package is imported; "js" otherwise.
 */
import type { Backend } from "./backend.js";
import { JsBackend } from "./js.js";
import { wasmSimdSupported } from "./wasm/simd.js";

export { wasmSimdSupported };

export type BackendName = "js" | "wasm";

const jsBackend = new JsBackend();
let current: Backend = jsBackend;
let wasmBackend: Promise<Backend> | null = null;

/** The backend that new tensors are created on. */
export function activeBackend(): Backend {
  return current;
}

/** The name of the active backend: `"js"` or `"wasm"`. */
export function getBackend(): BackendName {
  // `current` is only ever one of the two backends setBackend selects
  return current.name as BackendName;
}

/** The WebAssembly backend, instantiated once (a failed attempt may be retried). */
function loadWasmBackend(): Promise<Backend> {
  wasmBackend ??= import("./wasm/backend.js")
    .then((wasm) => wasm.createWasmBackend())
    .catch((error: unknown) => {
      wasmBackend = null;
      throw error;
    });
  return wasmBackend;
}

/**
 * Selects the backend for tensors created from now on. Async because loading WebAssembly is.
 * `"wasm"` needs WebAssembly SIMD (`wasmSimdSupported()`); every current browser, Node ≥ 16.4 and
 * Deno have it.
 */
export async function setBackend(name: BackendName): Promise<void> {
  if (name === "js") {
    current = jsBackend;
    return;
  }
  if (name === "wasm") {
    if (!wasmSimdSupported()) {
      throw new Error('setBackend("wasm"): this runtime does not support WebAssembly SIMD; use "js"');
    }
    current = await loadWasmBackend();
    return;
  }
  throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)}; expected "js" or "wasm"`);
}

// The default backend: WebAssembly where the runtime has SIMD, the JS reference otherwise (or if
// the module fails to load, which only a broken runtime would make it do).
if (wasmSimdSupported()) {
  try {
    current = await loadWasmBackend();
  } catch {
    current = jsBackend;
  }
}
