/**
 * Instantiates the kernels module from the bytes embedded at build time (wasm_*bytes.ts), with a
 * memory of our own making so that its maximum is ours to choose. No fs, no fetch: the same code
 * runs in Node, Deno and browsers.
 */
import type { KernelExports } from "./exports.js";

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
   * Load the shared-memory build of the chosen kernels (asconfig.json's "threads" or
   * "relaxed-threads" target) on a shared `WebAssembly.Memory`, so that the thread pool's workers
   * can instantiate it on the same memory. Needs SharedArrayBuffer (and, in a browser, cross-origin
   * isolation). Default false.
   */
  threads?: boolean;
}

/** The module of a build, compiled once, and its imported memory's minimum in pages. */
export interface CompiledKernels {
  module: WebAssembly.Module;
  minimumPages: number;
}

/**
 * The four embedded builds (assembly/embed.mjs writes their files), by `relaxedSimd` and `threads`.
 * Each file is imported only when its build is first used, so a program pays for the bytes of the
 * builds it runs only.
 */
const builds: Record<string, { what: string; load: () => Promise<{ base64: string; minimumPages: number }> }> = {
  exact: {
    what: "WebAssembly kernels",
    load: async () => {
      const m = await import("./wasm_bytes.js");
      return { base64: m.wasmBase64, minimumPages: m.wasmMinimumPages };
    },
  },
  relaxed: {
    what: "relaxed-SIMD WebAssembly kernels",
    load: async () => {
      const m = await import("./wasm_relaxed_bytes.js");
      return { base64: m.wasmRelaxedBase64, minimumPages: m.wasmRelaxedMinimumPages };
    },
  },
  threads: {
    what: "shared-memory WebAssembly kernels",
    load: async () => {
      const m = await import("./wasm_threads_bytes.js");
      return { base64: m.wasmThreadsBase64, minimumPages: m.wasmThreadsMinimumPages };
    },
  },
  "relaxed-threads": {
    what: "shared-memory relaxed-SIMD WebAssembly kernels",
    load: async () => {
      const m = await import("./wasm_relaxed_threads_bytes.js");
      return { base64: m.wasmRelaxedThreadsBase64, minimumPages: m.wasmRelaxedThreadsMinimumPages };
    },
  },
};

const compiled = new Map<string, Promise<CompiledKernels>>();

/** The build for these options, compiled once and shared by every instance (a failure may be retried). */
export function compileKernels(options: { relaxedSimd?: boolean; threads?: boolean } = {}): Promise<CompiledKernels> {
  const name = options.relaxedSimd
    ? options.threads
      ? "relaxed-threads"
      : "relaxed"
    : options.threads
      ? "threads"
      : "exact";
  let promise = compiled.get(name);
  if (promise === undefined) {
    const build = builds[name];
    promise = build
      .load()
      .then(async ({ base64, minimumPages }) => ({
        module: await WebAssembly.compile(decodeBase64(base64)),
        minimumPages,
      }))
      .catch((error: unknown) => {
        compiled.delete(name);
        throw new Error(
          `could not compile gradstep's ${build.what}: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
    compiled.set(name, promise);
  }
  return promise;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
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
  const { module, minimumPages } = await compileKernels(options);
  const maximum = Math.max(Math.ceil(maximumBytes / PAGE_BYTES), minimumPages);
  // the shared build declares a maximum of 65536 pages; a shared memory must have a maximum
  const memory = new WebAssembly.Memory({ initial: minimumPages, maximum, shared: options.threads === true });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return { kernels: instance.exports as unknown as KernelExports, maximumBytes: maximum * PAGE_BYTES, module };
}
