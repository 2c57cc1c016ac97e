/**
 * Instantiates the kernels module from the bytes embedded at build time (wasm_bytes.ts), with a
 * memory of our own making so that its maximum is ours to choose. No fs, no fetch: the same code
 * runs in Node, Deno and browsers.
 */
import type { KernelExports } from "./exports.js";
import { wasmBase64, wasmMinimumPages } from "./wasm_bytes.js";

/** 64 KiB, the unit WebAssembly memory grows by. */
export const PAGE_BYTES = 65536;
/** The most a 32-bit WebAssembly memory can address: 4 GiB. */
export const MAX_MEMORY_BYTES = 65536 * PAGE_BYTES;

export interface LoadOptions {
  /** Upper bound of the module's memory in bytes (rounded up to 64 KiB pages); default 4 GiB. */
  maximumBytes?: number;
}

let compiled: Promise<WebAssembly.Module> | null = null;

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The compiled module, compiled once and shared by every instance. */
export function compileKernels(): Promise<WebAssembly.Module> {
  compiled ??= WebAssembly.compile(decodeBase64(wasmBase64)).catch((error: unknown) => {
    compiled = null;
    throw new Error(`could not compile gradstep's WebAssembly kernels: ${String(error)}`);
  });
  return compiled;
}

/** A fresh instance of the kernels with its own memory, and that memory's maximum in bytes. */
export async function instantiateKernels(options: LoadOptions = {}): Promise<{ kernels: KernelExports; maximumBytes: number }> {
  const maximumBytes = options.maximumBytes ?? MAX_MEMORY_BYTES;
  if (!(maximumBytes > 0 && maximumBytes <= MAX_MEMORY_BYTES)) {
    throw new RangeError(`maximumBytes must be in (0, ${MAX_MEMORY_BYTES}], got ${maximumBytes}`);
  }
  const maximum = Math.max(Math.ceil(maximumBytes / PAGE_BYTES), wasmMinimumPages);
  const memory = new WebAssembly.Memory({ initial: wasmMinimumPages, maximum });
  const instance = await WebAssembly.instantiate(await compileKernels(), { env: { memory } });
  return { kernels: instance.exports as unknown as KernelExports, maximumBytes: maximum * PAGE_BYTES };
}
