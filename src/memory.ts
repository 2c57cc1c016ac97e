/**
 * Tensor memory on the WebAssembly backend.
 *
 * On the "js" backend a tensor's storage is a typed array and the garbage collector frees it; every
 * function here is then (almost) free and changes nothing. On "wasm", storage lives in WebAssembly
 * memory, which the garbage collector cannot see. Three mechanisms return it, whichever comes first:
 *
 * 1. `tidy(fn, ...keepFrom)` — deterministic, for loops: everything `fn` allocates is freed when it
 *    returns, except tensors reachable from its result or from `keepFrom` (modules, optimizers,
 *    tensors, arrays and plain objects holding them). A training step written as
 *        tidy(() => { ...forward, backward, optimizer.step(), optimizer.zeroGrad() }, model, optimizer)
 *    leaves memory exactly as it found it; `Trainer` does this for every mini-batch.
 * 2. `dispose(t)` / `t.dispose()` — explicit, for a tensor you know you are done with.
 * 3. The garbage collector — a tensor no JavaScript object references any more is freed after the
 *    collector finds it (a FinalizationRegistry). This is a safety net, not a plan: it only runs when
 *    the event loop turns, never inside a synchronous loop.
 *
 * Using a freed tensor throws an error saying so; it never reads other data.
 */
import { activeBackend } from "./backend/index.js";
import type { MemoryStats, Storage } from "./backend/backend.js";
import { Module } from "./nn/module.js";
import { Optimizer } from "./optim/optimizer.js";
import { Tensor } from "./tensor.js";

/**
 * The storages reachable from `roots`: tensors (and their gradients), modules (parameters and their
 * gradients), optimizers (state and parameters), and arrays, Maps, Sets and plain objects of them.
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
    } else if (value instanceof Module) {
      for (const p of value.parameters()) visit(p);
    } else if (value instanceof Optimizer) {
      for (const group of value.paramGroups) group.params.forEach(visit);
      for (const state of value.state.values()) visit(state);
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
    backend.endScope(reachableStorages(...keepFrom));
    throw new TypeError("tidy(fn): fn must be synchronous (it returned a Promise); the tensors it allocated were freed");
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
    else if (v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(visit);
  };
  visit(value);
}

/** Byte counts of the active backend's memory, or null where the garbage collector manages it (js). */
export function memoryStats(): MemoryStats | null {
  return activeBackend().memoryStats?.() ?? null;
}
