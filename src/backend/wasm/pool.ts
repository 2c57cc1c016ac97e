/**
 * The thread pool: workers that instantiate the shared-memory build of the kernels on the main
 * thread's memory and run parts of one kernel call at a time.
 *
 * * **Only the main thread allocates.** memory.ts keeps its state (heap top, free lists) in globals
 *   and static data; globals are per instance, so a worker never calls alloc or free. It only runs
 *   kernels on pointers the main thread hands it.
 * * **Fixed partition, any assignment.** A call is cut into `parts` pieces by the kernel itself
 *   (e.g. matmul_f32_part), from the shapes and `parts` alone, and each piece computes its outputs
 *   exactly as the one-thread kernel does; so the result is bit-identical for every thread count
 *   and whichever thread happens to take a piece. The main thread takes pieces too, and takes all
 *   of them while the workers are still starting (they start asynchronously, kernels are
 *   synchronous), so a call never waits for a worker that is not there.
 * * **Signalling** is an Int32Array control block on a SharedArrayBuffer: the main thread writes the
 *   arguments, publishes a claim word `seq << 10 | next piece` and bumps SEQ (Atomics.notify);
 *   workers blocked in Atomics.wait on SEQ wake and take pieces by compare-and-swap on the claim
 *   word, so a worker that wakes late can never take a piece of a newer call with old arguments.
 *   Finished pieces are counted in DONE; the main thread waits for all of them (Atomics.wait where
 *   the runtime allows it; a browser's main thread may not block, so it spins there).
 * * Workers are `node:worker_threads` in Node and Deno (imported dynamically, so browsers never see
 *   it), unref'd so that they never keep a program alive, and module Web Workers in browsers.
 */

/** Int32 slots of the control block. */
const SEQ = 0;
const CLAIM = 1;
const DONE = 2;
const FAILED = 3;
const STOP = 4;
const KERNEL = 5;
const PARTS = 6;
const ARGC = 7;
const READY = 8;
const WORKER_PARTS = 9;
/** Which argument is a per-thread workspace (-1: none), and the bytes between two threads' ones. */
const SCRATCH_ARG = 10;
const SCRATCH_BYTES = 11;
const ARGS = 12;
const MAX_ARGS = 20;
/** The most threads a pool runs. */
export const MAX_THREADS = 64;
/** The claim word is `seq << PART_BITS | next part`. */
const PART_BITS = 10;
/** The most parts one call may be cut into. */
export const MAX_PARTS = (1 << PART_BITS) - 1;

/**
 * The kernels a worker can run, by number; each takes its arguments followed by (part, parts).
 * Kept in the worker's source below by the same index.
 */
export const POOL_KERNELS = ["matmul_f32_part", "im2col_x32_part", "col2im_f32_part"] as const;
export type PoolKernel = (typeof POOL_KERNELS)[number];

/** The worker's program, the same for both kinds of worker (`start` is called with the setup). */
const WORKER_BODY = `
const start = ({ module, memory, control, thread }) => {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const kernels = ${JSON.stringify(POOL_KERNELS)}.map((name) => k[name]);
  const c = new Int32Array(control);
  Atomics.add(c, ${READY}, 1);
  let seen = -1;
  for (;;) {
    if (Atomics.load(c, ${STOP}) !== 0) return;
    const seq = Atomics.load(c, ${SEQ});
    if (seq === seen) {
      Atomics.wait(c, ${SEQ}, seq, 1000);
      continue;
    }
    seen = seq;
    for (;;) {
      const word = Atomics.load(c, ${CLAIM});
      const part = word & ${MAX_PARTS};
      if (word >>> ${PART_BITS} !== seq || part >= c[${PARTS}]) break;
      if (Atomics.compareExchange(c, ${CLAIM}, word, word + 1) !== word) continue;
      try {
        const args = Array.from(c.subarray(${ARGS}, ${ARGS} + c[${ARGC}]));
        if (c[${SCRATCH_ARG}] >= 0) args[c[${SCRATCH_ARG}]] = (args[c[${SCRATCH_ARG}]] >>> 0) + thread * c[${SCRATCH_BYTES}];
        kernels[c[${KERNEL}]](...args, part, c[${PARTS}]);
      } catch {
        Atomics.store(c, ${FAILED}, 1);
      }
      Atomics.add(c, ${WORKER_PARTS}, 1);
      Atomics.add(c, ${DONE}, 1);
      Atomics.notify(c, ${DONE});
    }
  }
};
`;

interface AnyWorker {
  terminate(): unknown;
}

/** What the pool uses of node:worker_threads (typed here: the package is built without Node's types). */
type NodeWorkerConstructor = new (
  code: string,
  options: { eval: true; workerData: unknown },
) => AnyWorker & { unref(): void; on(event: "error", listener: (error: unknown) => void): void };

/** Whether this runtime can share a WebAssembly memory between threads, and if not, why. */
export function sharedMemoryUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== "function") return "SharedArrayBuffer is not available in this runtime";
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  if (isolated === false) {
    return "the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  return null;
}

/** Logical cores of this machine: os.availableParallelism() in Node, navigator.hardwareConcurrency elsewhere. */
export function availableCores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  const node = (globalThis as { process?: { getBuiltinModule?: (id: string) => { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined } }).process;
  const os = node?.getBuiltinModule?.("node:os");
  const cores = os?.availableParallelism?.() ?? os?.cpus?.().length ?? nav?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(cores)));
}

export class ThreadPool {
  private readonly control = new Int32Array(new SharedArrayBuffer((ARGS + MAX_ARGS) * 4));
  private readonly workers: AnyWorker[] = [];
  /** Workers asked for. */
  readonly size: number;
  private seq = 0;
  private closed = false;
  /** A browser's main thread may not block in Atomics.wait. */
  private readonly canWait: boolean;

  /** Starts `workers` workers on `memory` (asynchronously; calls run on the main thread meanwhile). */
  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, workers: number) {
    const g = globalThis as { window?: unknown; document?: unknown };
    this.canWait = g.window === undefined && g.document === undefined;
    this.size = workers;
    const setup = { module, memory, control: this.control.buffer };
    void this.startWorkers(setup, workers);
  }

  private async startWorkers(setup: { module: WebAssembly.Module; memory: WebAssembly.Memory; control: ArrayBufferLike }, count: number): Promise<void> {
    // node:worker_threads wherever it exists (Node, and Deno, whose Web Workers would keep a
    // program from exiting: only node:worker_threads' workers can be unref'd there)
    const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
    if (node !== undefined) {
      const specifier = "node:worker_threads";
      const { Worker } = (await import(specifier)) as { Worker: NodeWorkerConstructor };
      const code = `${WORKER_BODY}\nstart(require("node:worker_threads").workerData);`;
      for (let i = 0; i < count && !this.closed; i++) {
        const worker = new Worker(code, { eval: true, workerData: { ...setup, thread: i + 1 } });
        worker.unref();
        worker.on("error", () => {});
        this.workers.push(worker);
      }
      return;
    }
    const code = `${WORKER_BODY}\nself.onmessage = (event) => start(event.data);`;
    const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    for (let i = 0; i < count && !this.closed; i++) {
      const worker = new Worker(url, { type: "module" });
      worker.postMessage({ ...setup, thread: i + 1 });
      this.workers.push(worker);
    }
  }

  /**
   * Runs `kernel(...args, part, parts)` for every part < parts, spread over the main thread (which
   * runs `runPart(part)`) and the workers, and returns when all parts are done. `scratch`, if given,
   * names the argument that is a workspace: thread t (the main thread is 0, workers 1, 2, …) gets
   * that pointer plus t · scratch.bytes.
   */
  run(kernel: PoolKernel, args: readonly number[], parts: number, runPart: (part: number) => void, scratch?: { arg: number; bytes: number }): void {
    const c = this.control;
    if (args.length > MAX_ARGS || parts > MAX_PARTS) throw new RangeError("ThreadPool.run: too many arguments or parts");
    this.seq = (this.seq + 1) & ((1 << (31 - PART_BITS)) - 1);
    const seq = this.seq;
    c[KERNEL] = POOL_KERNELS.indexOf(kernel);
    c[PARTS] = parts;
    c[ARGC] = args.length;
    c[SCRATCH_ARG] = scratch?.arg ?? -1;
    c[SCRATCH_BYTES] = scratch?.bytes ?? 0;
    c.set(args, ARGS);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, CLAIM, seq << PART_BITS);
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
    let failure: unknown = null;
    for (;;) {
      const word = Atomics.load(c, CLAIM);
      const part = word & MAX_PARTS;
      if (part >= parts) break;
      if (Atomics.compareExchange(c, CLAIM, word, word + 1) !== word) continue;
      try {
        runPart(part);
      } catch (error) {
        failure ??= error;
      }
      Atomics.add(c, DONE, 1);
    }
    for (let done = Atomics.load(c, DONE); done < parts; done = Atomics.load(c, DONE)) {
      if (this.canWait) Atomics.wait(c, DONE, done, 100);
    }
    if (failure !== null) throw failure;
    if (Atomics.load(c, FAILED) !== 0) throw new Error(`a worker thread failed while running ${kernel}`);
  }

  /** Workers that have instantiated the kernels and wait for work. */
  readyWorkers(): number {
    return Atomics.load(this.control, READY);
  }

  /** Parts of calls the workers (not the main thread) have run so far. */
  workerParts(): number {
    return Atomics.load(this.control, WORKER_PARTS);
  }

  /** Resolves once every worker waits for work (rejects after `timeoutMs`). */
  async whenReady(timeoutMs = 30_000): Promise<void> {
    const start = Date.now();
    while (this.readyWorkers() < this.size) {
      if (Date.now() - start > timeoutMs) throw new Error(`the thread pool's workers did not start within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops the workers. */
  close(): void {
    this.closed = true;
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, SEQ);
    for (const worker of this.workers) void worker.terminate();
    this.workers.length = 0;
  }
}

// ---- the thread count (setNumThreads / getNumThreads) ---------------------------------------------

let requestedThreads = 0; // 0: not set, use availableCores()
let warned = false;

/**
 * Sets the number of threads the WebAssembly backend's large kernels use, like
 * `torch.set_num_threads`. 1 means no worker is started. Results are bit-identical for every count.
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`setNumThreads: expected a positive integer, got ${String(n)}`);
  if (n > MAX_THREADS) throw new RangeError(`setNumThreads: at most ${MAX_THREADS} threads, got ${n}`);
  const reason = sharedMemoryUnavailable();
  if (n > 1 && reason !== null && !warned) {
    warned = true;
    console.warn(`gradstep: setNumThreads(${n}): running on one thread because ${reason}`);
  }
  requestedThreads = n;
}

/**
 * The number of threads kernels use: what setNumThreads set (default: the available cores), or 1
 * where shared memory is unavailable (no SharedArrayBuffer, or a page without cross-origin isolation).
 */
export function getNumThreads(): number {
  if (sharedMemoryUnavailable() !== null) return 1;
  return requestedThreads === 0 ? availableCores() : requestedThreads;
}
