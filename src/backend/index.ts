/**
 * Which backend new tensors are created on. Tensors remember the backend that owns their storage,
 * so switching backends never reinterprets memory that belongs to the other one.
 */
import type { Backend } from "./backend.js";
import { JsBackend } from "./js.js";

export type BackendName = "js" | "wasm";

const jsBackend = new JsBackend();
let current: Backend = jsBackend;

/** The backend that new tensors are created on. */
export function activeBackend(): Backend {
  return current;
}

/** The name of the active backend: `"js"` or `"wasm"`. */
export function getBackend(): BackendName {
  return current.name;
}

/**
 * Selects the backend for tensors created from now on. Async because loading WebAssembly is.
 */
export async function setBackend(name: BackendName): Promise<void> {
  if (name === "js") {
    current = jsBackend;
    return;
  }
  if (name === "wasm") {
    throw new Error('setBackend("wasm"): the WebAssembly backend is not part of this build yet; use "js"');
  }
  throw new TypeError(`setBackend: unknown backend ${JSON.stringify(name)}; expected "js" or "wasm"`);
}
