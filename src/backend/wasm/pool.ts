/**
 * The thread pool: workers that instantiate the shared-memory build of the kernels on the main
 * thread's memory and run parts of one kernel call at a time.
 *
 * * **Only the main thread allocates.** memory.ts keeps its state (heap top, free lists) in globals
 *   and static data; globals are per instance, so a worker never calls alloc or free. It only runs
 *   kernels on pointers the main thread hands it.
 * * **Fixed partition, any assignment.** A call is cut into `parts` pieces, by the kernel itself
 *   (e.g. matmul_f32_part, the binary and reduce kernels) or, for element-wise kernels without
 *   broadcasting, by runPart below, from the shapes and `parts` alone, and each piece computes its
 *   outputs exactly as the one-thread kernel does; so the result is bit-identical for every thread
 *   count, every cut, and whichever thread takes a piece. Static memory is shared by all threads:
 *   what a piece writes besides its outputs (an odometer, a lane merge) lives in memory the call
 *   gives that piece, or in registers (unary.ts's lane scratch serves only the tail, which only
 *   the last piece has). The main thread takes pieces too, and takes all of them while the
 *   workers are still starting (they start asynchronously, kernels are synchronous), so a call
 *   never waits for a worker that is not there.
 * * **Signalling** is an Int32Array control block on a SharedArrayBuffer (the arguments follow it
 *   as float64): the main thread writes the arguments, publishes a claim word
 *   (`seq << 20 | pieces << 10 | next piece`) and bumps SEQ (Atomics.notify); workers blocked in Atomics.wait on SEQ
 *   wake and take pieces by compare-and-swap on the claim word, so a worker that wakes late can
 *   never take a piece of a newer call with old arguments. Finished pieces are counted in DONE; the
 *   main thread waits for all of them (Atomics.wait where the runtime allows it; a browser's main
 *   thread may not block, so it spins there). Both sides poll for SPIN_MS before they sleep: a
 *   training step's kernels come microseconds apart, and a sleeping worker takes tens of
 *   microseconds to wake, longer than many of the parts it would run.
 * * Workers are `node:worker_threads` in Node and Deno (taken from process.getBuiltinModule, so
 *   that they start at once even in a program that never awaits, or imported dynamically where that
 *   is missing; browsers never see it), unref'd so that they never keep a program alive, and module
 *   Web Workers in browsers (which start when the page's event loop turns).
 */

/** Int32 slots of the control block. */
const SEQ = 0;
const CLAIM = 1;
const DONE = 2;
const FAILED = 3;
const STOP = 4;
const KERNEL = 5;
const ARGC = 7;
const READY = 8;
const WORKER_PARTS = 9;
/** Which argument is a per-thread workspace (-1: none), and the bytes between two threads' ones. */
const SCRATCH_ARG = 10;
const SCRATCH_BYTES = 11;
/** Element-wise calls (see runPart): the count argument (-1: not element-wise), pointer arguments, element size. */
const COUNT_ARG = 12;
const POINTERS = 13;
const ELEMENT_BYTES = 14;
/** The memory's size in 64 KiB pages when the call was published. */
const MEMORY_PAGES = 15;
const CONTROL_INTS = 16;
/** The arguments follow as float64 (pointers, counts and scalars alike). */
const MAX_ARGS = 24;
/** Then the message of a worker's error, as UTF-16 code units (0-terminated). */
const ERROR_CHARS = 256;
const ERROR_BYTE = CONTROL_INTS * 4 + MAX_ARGS * 8;
/**
 * Milliseconds a thread polls for what it waits for (a worker for the next call, the main thread for
 * the workers' parts) before it sleeps in Atomics.wait, as OpenMP's threads spin before they block.
 */
const SPIN_MS = 0.3;
/** The most threads a pool runs. */
export const MAX_THREADS = 64;
/**
 * The claim word is `seq << 20 | parts << 10 | next part`: the call's number (11 bits, wrapping),
 * its part count and the next part to take. Keeping `parts` in the word matters: a worker that reads
 * an old call's word (all parts taken) while the main thread is writing the next call's arguments
 * must see "nothing left" from the word alone, not compare the old `next` with the new call's count.
 */
const PART_BITS = 10;
const SEQ_SHIFT = 2 * PART_BITS;
const SEQ_MASK = (1 << (31 - SEQ_SHIFT)) - 1;
/** The most parts one call may be cut into. */
export const MAX_PARTS = (1 << PART_BITS) - 1;

/** How a call is cut into parts: by the kernel itself, or element-wise (see runPart). */
export interface Split {
  /** The argument that is a workspace: thread t gets it plus t · bytes (the main thread is 0). */
  scratch?: { arg: number; bytes: number };
  /**
   * An element-wise kernel: argument `count` is the element count, the arguments whose bit is set in
   * `pointers` point at arrays of `bytes`-byte elements (0 means absent and stays 0).
   */
  elementwise?: { count: number; pointers: number; bytes: number };
}

/**
 * Runs part `part` of `parts` of one call. A kernel that cuts itself (e.g. matmul_f32_part) gets
 * (part, parts) after its arguments. An element-wise kernel is called on elements [start, end) of
 * its arrays: contiguous chunks of a multiple of 64 elements, so every chunk but the last is all
 * whole SIMD vectors (and unrolled groups) and the last ends where the one-thread call's tail does;
 * every element meets the same instructions as on one thread. The main thread runs this function;
 * the workers run its source text (so it must not use anything outside itself).
 */
function runPart(
  kernel: (...args: number[]) => void,
  args: number[],
  count: number,
  pointers: number,
  bytes: number,
  part: number,
  parts: number,
): void {
  if (count < 0) {
    kernel(...args, part, parts);
    return;
  }
  const n = args[count];
  const chunk = Math.ceil(n / parts / 64) * 64;
  const start = Math.min(n, part * chunk);
  const end = Math.min(n, start + chunk);
  if (end <= start) return;
  const own = args.slice();
  for (let i = 0; i < own.length; i++) if (((pointers >> i) & 1) !== 0 && own[i] !== 0) own[i] += start * bytes;
  own[count] = end - start;
  kernel(...own);
}

/** The worker's program for a pool of `names` kernels (`start` is called with the setup). */
function workerSource(names: readonly string[]): string {
  return `
${runPart.toString()}
const start = ({ module, memory, control, thread }) => {
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const kernels = ${JSON.stringify(names)}.map((name) => k[name]);
  const c = new Int32Array(control, 0, ${CONTROL_INTS});
  const f = new Float64Array(control, ${CONTROL_INTS * 4});
  Atomics.add(c, ${READY}, 1);
  let seen = -1;
  let lastWork = 0;
  for (;;) {
    if (Atomics.load(c, ${STOP}) !== 0) return;
    const seq = Atomics.load(c, ${SEQ});
    if (seq === seen) {
      // a training step's kernels come microseconds apart and waking a sleeping thread costs tens of
      // them, so a worker that just worked polls for the next call a while before it sleeps
      if (performance.now() - lastWork < ${SPIN_MS}) continue;
      Atomics.wait(c, ${SEQ}, seq, 1000);
      continue;
    }
    seen = seq;
    for (;;) {
      const word = Atomics.load(c, ${CLAIM});
      const part = word & ${MAX_PARTS};
      const parts = (word >>> ${PART_BITS}) & ${MAX_PARTS};
      if (word >>> ${SEQ_SHIFT} !== seq || part >= parts) break;
      if (Atomics.compareExchange(c, ${CLAIM}, word, word + 1) !== word) continue;
      try {
        // a worker's memory object learns of the main thread's growth asynchronously; where it lags,
        // growing by 0 pages brings it (and the instance's bounds for bulk memory operations) up to date
        if (memory.buffer.byteLength < c[${MEMORY_PAGES}] * 65536) memory.grow(0);
        const args = Array.from(f.subarray(0, c[${ARGC}]));
        if (c[${SCRATCH_ARG}] >= 0) args[c[${SCRATCH_ARG}]] += thread * c[${SCRATCH_BYTES}];
        ${runPart.name}(kernels[c[${KERNEL}]], args, c[${COUNT_ARG}], c[${POINTERS}], c[${ELEMENT_BYTES}], part, parts);
      } catch (error) {
        if (Atomics.compareExchange(c, ${FAILED}, 0, 1) === 0) {
          const text = String(error && error.stack || error).slice(0, ${ERROR_CHARS - 1});
          const chars = new Uint16Array(control, ${ERROR_BYTE}, ${ERROR_CHARS});
          for (let i = 0; i < text.length; i++) chars[i] = text.charCodeAt(i);
          chars[text.length] = 0;
        }
      }
      Atomics.add(c, ${WORKER_PARTS}, 1);
      Atomics.add(c, ${DONE}, 1);
      Atomics.notify(c, ${DONE});
    }
    lastWork = performance.now();
  }
};
`;
}

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

let cores = 0;

/**
 * Logical cores of this machine (at most MAX_THREADS), asked once: os.availableParallelism() in
 * Node (20.16+ and Deno, through process.getBuiltinModule), navigator.hardwareConcurrency elsewhere
 * (browsers, Node ≥ 21); 1 where neither exists.
 */
export function availableCores(): number {
  if (cores === 0) {
    const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
    const node = (
      globalThis as {
        process?: {
          getBuiltinModule?: (
            id: string,
          ) => { availableParallelism?: () => number; cpus?: () => unknown[] } | undefined;
        };
      }
    ).process;
    const os = node?.getBuiltinModule?.("node:os");
    const found = os?.availableParallelism?.() ?? os?.cpus?.().length ?? nav?.hardwareConcurrency ?? 1;
    cores = Math.max(1, Math.min(MAX_THREADS, Math.floor(found)));
  }
  return cores;
}

export class ThreadPool {
  private readonly buffer = new SharedArrayBuffer(ERROR_BYTE + ERROR_CHARS * 2);
  private readonly control = new Int32Array(this.buffer, 0, CONTROL_INTS);
  private readonly args = new Float64Array(this.buffer, CONTROL_INTS * 4, MAX_ARGS);
  private readonly workers: AnyWorker[] = [];
  /** Kernels the pool runs, by index in the control block. */
  private readonly names: readonly string[];
  private readonly kernels: ((...args: number[]) => void)[];
  private readonly memory: WebAssembly.Memory;
  /** Workers asked for. */
  readonly size: number;
  private seq = 0;
  private closed = false;
  /** A browser's main thread may not block in Atomics.wait. */
  private readonly canWait: boolean;

  /**
   * Starts `workers` workers on `memory` (they become ready asynchronously; calls run on the main thread meanwhile),
   * able to run the kernels named in `names`; `exports` are the main thread's instance of them.
   */
  constructor(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    exports: object,
    names: readonly string[],
    workers: number,
  ) {
    const g = globalThis as { window?: unknown; document?: unknown };
    this.canWait = g.window === undefined && g.document === undefined;
    this.size = workers;
    this.names = names;
    this.memory = memory;
    this.kernels = names.map((name) => (exports as Record<string, (...args: number[]) => void>)[name]);
    const setup = { module, memory, control: this.buffer };
    void this.startWorkers(setup, workers);
  }

  private async startWorkers(
    setup: { module: WebAssembly.Module; memory: WebAssembly.Memory; control: SharedArrayBuffer },
    count: number,
  ): Promise<void> {
    // node:worker_threads wherever it exists (Node, and Deno, whose Web Workers would keep a
    // program from exiting: only node:worker_threads' workers can be unref'd there)
    const source = workerSource(this.names);
    const proc = (
      globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }
    ).process;
    if (proc?.versions?.node !== undefined) {
      // synchronously where the runtime can (Node 20.16+, Deno): a training loop that never awaits
      // never lets an `import()` finish, and its kernels would all run on the main thread
      const specifier = "node:worker_threads";
      const builtin = proc.getBuiltinModule?.(specifier) as { Worker: NodeWorkerConstructor } | undefined;
      const { Worker } = builtin ?? ((await import(specifier)) as { Worker: NodeWorkerConstructor });
      // a CommonJS script, or a module where the workers inherit `node --input-type=module`
      const threads = `(typeof require === "function" ? require : process.getBuiltinModule)("node:worker_threads")`;
      const code = `${source}\nstart(${threads}.workerData);`;
      for (let i = 0; i < count && !this.closed; i++) {
        const worker = new Worker(code, { eval: true, workerData: { ...setup, thread: i + 1 } });
        worker.unref();
        worker.on("error", () => {});
        this.workers.push(worker);
      }
      return;
    }
    const code = `${source}\nself.onmessage = (event) => start(event.data);`;
    const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    for (let i = 0; i < count && !this.closed; i++) {
      const worker = new Worker(url, { type: "module" });
      worker.postMessage({ ...setup, thread: i + 1 });
      this.workers.push(worker);
    }
  }

  /**
   * Runs every part < parts of `kernel(...args)`, cut as `split` says (see runPart), spread over the
   * main thread and the workers; returns when all parts are done.
   */
  run(kernel: string, args: readonly number[], parts: number, split: Split = {}): void {
    const c = this.control;
    const index = this.names.indexOf(kernel);
    if (index < 0 || args.length > MAX_ARGS || parts > MAX_PARTS)
      throw new RangeError(`ThreadPool.run: cannot run ${kernel} with ${args.length} arguments in ${parts} parts`);
    this.seq = (this.seq + 1) & SEQ_MASK;
    const seq = this.seq;
    c[KERNEL] = index;
    c[ARGC] = args.length;
    c[SCRATCH_ARG] = split.scratch?.arg ?? -1;
    c[SCRATCH_BYTES] = split.scratch?.bytes ?? 0;
    c[COUNT_ARG] = split.elementwise?.count ?? -1;
    c[POINTERS] = split.elementwise?.pointers ?? 0;
    c[ELEMENT_BYTES] = split.elementwise?.bytes ?? 0;
    c[MEMORY_PAGES] = this.memory.buffer.byteLength / 65536;
    this.args.set(args);
    Atomics.store(c, DONE, 0);
    Atomics.store(c, FAILED, 0);
    Atomics.store(c, CLAIM, (seq << SEQ_SHIFT) | (parts << PART_BITS));
    Atomics.store(c, SEQ, seq);
    Atomics.notify(c, SEQ);
    const mainArgs = Array.from(args);
    let failure: unknown = null;
    for (;;) {
      const word = Atomics.load(c, CLAIM);
      const part = word & MAX_PARTS;
      if (part >= parts) break; // (only this call's words are in CLAIM while the main thread runs it)
      if (Atomics.compareExchange(c, CLAIM, word, word + 1) !== word) continue;
      try {
        runPart(this.kernels[index], mainArgs, c[COUNT_ARG], c[POINTERS], c[ELEMENT_BYTES], part, parts);
      } catch (error) {
        failure ??= error;
      }
      Atomics.add(c, DONE, 1);
    }
    // the parts still running are about as long as the ones this thread just ran: poll, and sleep
    // only if they take longer than SPIN_MS
    const pollUntil = performance.now() + SPIN_MS;
    for (let done = Atomics.load(c, DONE); done < parts; done = Atomics.load(c, DONE)) {
      if (this.canWait && performance.now() > pollUntil) Atomics.wait(c, DONE, done, 100);
    }
    if (failure !== null) throw failure;
    if (Atomics.load(c, FAILED) !== 0) {
      const chars = Array.from(new Uint16Array(this.buffer, ERROR_BYTE, ERROR_CHARS));
      const text = String.fromCharCode(...chars.slice(0, chars.indexOf(0) < 0 ? ERROR_CHARS : chars.indexOf(0)));
      throw new Error(`a worker thread failed while running ${kernel}: ${text}`);
    }
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
      if (Date.now() - start > timeoutMs)
        throw new Error(`the thread pool's workers did not start within ${timeoutMs} ms`);
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
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`setNumThreads: expected a positive integer, got ${String(n)}`);
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
