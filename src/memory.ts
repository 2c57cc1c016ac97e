/**
 * Tensor memory on the WebAssembly backend (see "Tensor lifetimes" in the README).
 *
 * On the "js" backend a tensor's storage is a typed array and the garbage collector frees it; every
 * function here is then (almost) free and changes nothing. On "wasm", storage lives in WebAssembly
 * memory, which the garbage collector cannot see. A plain PyTorch-style loop still needs nothing from
 * you there:
 *
 * * backward frees its intermediate gradients, and a `.grad` that backward created is freed when it
 *   is replaced (`zeroGrad()`, `p.grad = null`), as it belongs to its tensor;
 * * tensors that the program stopped using (last step's activations and batches) are moved out of
 *   WebAssembly memory into ordinary JavaScript memory by the backend's sweeps, where the garbage
 *   collector reclaims them even inside a synchronous loop; one that is used again comes back.
 *
 * For exact, deterministic memory there are also:
 *
 * 1. `tidy(fn, ...keepFrom)` — everything `fn` allocates is freed when it returns, except tensors
 *    reachable from its result or from `keepFrom` (modules, optimizers, tensors, arrays and plain
 *    objects holding them). `Trainer` does this for every mini-batch.
 * 2. `dispose(t)` / `t.dispose()` — explicit, for a tensor you know you are done with.
 *
 * Using a freed tensor throws an error that says what freed it; it never reads other data.
 */
import { noGrad } from "./autograd.js";
import { activeBackend } from "./backend/index.js";
import type { MemoryStats, Storage } from "./backend/backend.js";
import { Tensor } from "./tensor.js";

/**
 * The protocol by which an object says which tensors (or further holders) it holds, so that `tidy`
 * can keep them: `nn.Module` (its parameters and buffers) and `Optimizer` (its state) implement it.
 * The core defines it so that it needs to know nothing of the floors above.
 */
export const heldTensors: unique symbol = Symbol.for("gradstep.heldTensors");

export interface HoldsTensors {
  [heldTensors](): Iterable<unknown>;
}

function holdsTensors(value: object): value is HoldsTensors {
  return typeof (value as Partial<HoldsTensors>)[heldTensors] === "function";
}

/**
 * The storages reachable from `roots`: tensors (and their gradients), objects that hold tensors
 * (modules, optimizers), and arrays, Maps, Sets and plain objects of them.
 */
export function reachableStorages(...roots: unknown[]): Set<Storage> {
  const found = new Set<Storage>();
  const seen = new Set<unknown>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== "object" || seen.has(value)) return;
    seen.add(value);
    if (value instanceof Tensor) {
      found.add(value.storage);
      visit(value.grad);
    } else if (holdsTensors(value)) {
      for (const v of value[heldTensors]()) visit(v);
    } else if (value instanceof Map) {
      for (const v of value.values()) visit(v);
    } else if (Array.isArray(value) || value instanceof Set) {
      for (const v of value) visit(v);
    } else if (Object.getPrototypeOf(value) === Object.prototype) {
      for (const v of Object.values(value)) visit(v);
    }
  };
  roots.forEach(visit);
  return found;
}

/**
 * Runs `fn` and frees every tensor it allocated, except those reachable from its result or from
 * `keepFrom` (see the module comment). Nested calls work: what an inner `tidy` keeps belongs to the
 * outer one. On the "js" backend it just runs `fn`.
 */
export function tidy<T>(fn: () => T, ...keepFrom: unknown[]): T {
  if (typeof fn !== "function") throw new TypeError(`tidy(fn): fn must be a function, got ${typeof fn}`);
  if (fn.constructor?.name === "AsyncFunction") {
    // refuse before running it: an async fn would go on using tensors after tidy had freed them
    throw new TypeError(
      "tidy(fn): fn must be synchronous, got an async function; call tidy inside it around each synchronous step instead",
    );
  }
  const backend = activeBackend();
  if (!backend.startScope || !backend.endScope) return fn();
  backend.startScope();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    backend.endScope(reachableStorages(...keepFrom));
    throw error;
  }
  if (result instanceof Promise) {
    // the promise's own failure (it may go on to touch freed tensors) must not crash the process
    result.catch(() => {});
    backend.endScope(reachableStorages(...keepFrom));
    throw new TypeError(
      "tidy(fn): fn must be synchronous (it returned a Promise); the tensors it allocated were freed",
    );
  }
  backend.endScope(reachableStorages(result, ...keepFrom));
  return result;
}

/** Exempts a tensor from every enclosing `tidy`; it lives until disposed or garbage-collected. */
export function keep<T extends Tensor>(t: T): T {
  t.backend.keep?.(t.storage);
  return t;
}

/** Frees the memory of the tensors in `value` (a tensor, or arrays / objects of them) now. */
export function dispose(value: unknown): void {
  const visit = (v: unknown): void => {
    if (v instanceof Tensor) v.backend.free(v.storage);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype)
      Object.values(v).forEach(visit);
  };
  visit(value);
}

/**
 * Clears `t.grad` — what `zeroGrad` does for each parameter: to null (which frees a gradient that
 * backward created, see `Tensor.grad`) or, with `setToNone` false, to zeros in place.
 */
export function clearGrad(t: Tensor, setToNone: boolean): void {
  const grad = t.grad;
  if (grad === null) return;
  if (setToNone) t.grad = null;
  else noGrad(() => grad.zero_());
}

/** Byte counts of the active backend's memory, or null where the garbage collector manages it (js). */
export function memoryStats(): MemoryStats | null {
  return activeBackend().memoryStats?.() ?? null;
}
