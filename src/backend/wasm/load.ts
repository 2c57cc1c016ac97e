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
  /**
   * Load the relaxed-SIMD build (GEMM with `f32x4.relaxed_madd`, a fused multiply-add where the CPU
   * has one): faster float32 matmul and conv, rounded differently from the exact build (see
   * src/backend/wasm/README.md). Default false.
   */
  relaxedSimd?: boolean;
  /**
   * Load the shared-memory build (asconfig.json's "threads" target) on a shared
   * `WebAssembly.Memory`, so that the thread pool's workers can instantiate it on the same memory.
   * Needs SharedArrayBuffer (and, in a browser, cross-origin isolation). Not with relaxedSimd.
   */
  threads?: boolean;
}

/** The module of a build, compiled once, and its imported memory's minimum in pages. */
export interface CompiledKernels {
  module: WebAssembly.Module;
  minimumPages: number;
}

let compiled: Promise<WebAssembly.Module> | null = null;
let compiledRelaxed: Promise<{ module: WebAssembly.Module; minimumPages: number }> | null = null;
let compiledThreads: Promise<CompiledKernels> | null = null;

/** The shared-memory build, compiled once; its bytes are imported only when threads are used. */
function compileThreadKernels(): Promise<CompiledKernels> {
  compiledThreads ??= import("./wasm_threads_bytes.js")
    .then(async ({ wasmThreadsBase64, wasmThreadsMinimumPages }) => {
      if (wasmThreadsBase64.length === 0)
        throw new Error(
          'this build of gradstep was made without the shared-memory kernels (asconfig.json\'s "threads" target)',
        );
      return {
        module: await WebAssembly.compile(decodeBase64(wasmThreadsBase64)),
        minimumPages: wasmThreadsMinimumPages,
      };
    })
    .catch((error: unknown) => {
      compiledThreads = null;
      throw new Error(
        `could not compile gradstep's shared-memory WebAssembly kernels: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  return compiledThreads;
}

/** The relaxed-SIMD build, compiled once; its bytes are imported only when it is asked for. */
function compileRelaxedKernels(): Promise<{ module: WebAssembly.Module; minimumPages: number }> {
  compiledRelaxed ??= import("./wasm_relaxed_bytes.js")
    .then(async ({ wasmRelaxedBase64, wasmRelaxedMinimumPages }) => {
      if (wasmRelaxedBase64.length === 0)
        throw new Error(
          'this build of gradstep was made without the relaxed-SIMD kernels (asconfig.json\'s "relaxed" target)',
        );
      return {
        module: await WebAssembly.compile(decodeBase64(wasmRelaxedBase64)),
        minimumPages: wasmRelaxedMinimumPages,
      };
    })
    .catch((error: unknown) => {
      compiledRelaxed = null;
      throw new Error(
        `could not compile gradstep's relaxed-SIMD WebAssembly kernels: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  return compiledRelaxed;
}

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

/**
 * A fresh instance of the kernels with its own memory, and that memory's maximum in bytes; with
 * `threads`, also the compiled module, which the pool's workers instantiate on the same memory.
 */
export async function instantiateKernels(
  options: LoadOptions = {},
): Promise<{ kernels: KernelExports; maximumBytes: number; module: WebAssembly.Module }> {
  const maximumBytes = options.maximumBytes ?? MAX_MEMORY_BYTES;
  if (!(maximumBytes > 0 && maximumBytes <= MAX_MEMORY_BYTES)) {
    throw new RangeError(`maximumBytes must be in (0, ${MAX_MEMORY_BYTES}], got ${maximumBytes}`);
  }
  if (options.threads && options.relaxedSimd)
    throw new TypeError("the relaxed-SIMD build runs on one thread (no shared-memory build of it)");
  const { module, minimumPages } = options.relaxedSimd
    ? await compileRelaxedKernels()
    : options.threads
      ? await compileThreadKernels()
      : { module: await compileKernels(), minimumPages: wasmMinimumPages };
  const maximum = Math.max(Math.ceil(maximumBytes / PAGE_BYTES), minimumPages);
  // the shared build declares a maximum of 65536 pages; a shared memory must have a maximum
  const memory = new WebAssembly.Memory({ initial: minimumPages, maximum, shared: options.threads === true });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return { kernels: instance.exports as unknown as KernelExports, maximumBytes: maximum * PAGE_BYTES, module };
}
