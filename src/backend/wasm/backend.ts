/**
 * The WebAssembly backend: every primitive of backend.ts as one call of an AssemblyScript kernel
 * (assembly/), on storage that lives in the kernels module's linear memory.
 *
 * A storage handle is (pointer, length, dtype). Kernels get pointers; JavaScript reads and writes
 * elements through typed-array views of the memory, made fresh whenever the memory may have grown
 * (growing detaches the old ArrayBuffer). This file holds no arithmetic: it picks the kernel for a
 * dtype, collapses shapes and strides for the strided kernels, and manages storage lifetime.
 *
 * Lifetime (see README.md in this folder): a storage's block returns to the allocator when
 * `free(s)` is called, when a scope that allocated it ends without keeping it, when a sweep moves an
 * unscoped storage that no kernel has used lately to the JavaScript heap (`sweep`; the next kernel
 * that uses it brings it back), or when the handle of a large unscoped storage becomes unreachable
 * and the garbage collector finalizes it (FinalizationRegistry), whichever comes first.
 *
 * int64 and bool storages are int32 storages to the kernels (see dtype.ts): the tables below give
 * them the int32 kernels, and only conversions to bool (`x != 0`) treat them differently.
 */
import { type DType, normalized, roundToDType, storageDType, type TypedArray } from "../../dtype.js";
import type {
  AdamStepScalars,
  Backend,
  BinaryOp,
  MemoryStats,
  ReduceOp,
  RmspropStepScalars,
  SgdStepScalars,
  Storage,
  UnaryOp,
  Window2d,
} from "../backend.js";
import type { DtypeSuffix, KernelExports, Pointer } from "./exports.js";
import { instantiateKernels, type LoadOptions } from "./load.js";
import { getNumThreads, MAX_PARTS, sharedMemoryUnavailable, ThreadPool, type Split } from "./pool.js";

/**
 * Multiply-adds per part below which a matrix product is not split: a part of this size takes a few
 * microseconds, about what handing it to a polling worker costs (pool.ts: workers poll for
 * SPIN_MS after each call, so a training step's kernels find them awake). CNN2's step (batch 16)
 * went from 1.18× to 1.31× on 2 threads when this was lowered 4×. Data-movement kernels did not
 * gain from the same (their parts read what the other core just wrote): MIN_ELEMENTS_PER_PART at
 * 2^13, 2^15 and 2^17 gave the same CNN2 epoch on 2 threads within the noise.
 */
const MIN_MADDS_PER_PART = 2 ** 16;
/** Parts per thread a large call is cut into (see partsFor). */
const PARTS_PER_THREAD = 4;
/** Elements per part below which a data-movement kernel (im2col, col2im, pooling, element-wise) is not split. */
const MIN_ELEMENTS_PER_PART = 2 ** 15;
/**
 * Binary ops and reductions do one add or compare per element: a split call pays the workers'
 * wake-up (about 10 µs of CPU time, and more in latency), so they split only from
 * MIN_CHEAP_ELEMENTS_TO_SPLIT elements (about 90 µs on one thread), into parts of at least
 * MIN_CHEAP_ELEMENTS_PER_PART (more parts than threads, so that the main thread takes over what a
 * late worker leaves). With a second core free, 2 threads ÷ 1 on float32 adds (median of
 * interleaved rounds) was 0.68× at 128K elements, 0.84× at 256K, 1.05–1.3× at 512K, 1.3–1.5× at 1M.
 */
const MIN_CHEAP_ELEMENTS_TO_SPLIT = 2 ** 19;
const MIN_CHEAP_ELEMENTS_PER_PART = 2 ** 17;

const BYTES: Record<DType, number> = { float32: 4, float64: 8, int32: 4, int64: 4, bool: 4 };
const SUFFIX: Record<DType, DtypeSuffix> = { float32: "f32", float64: "f64", int32: "i32", int64: "i32", bool: "i32" };

const UNARY_OPS: readonly UnaryOp[] = ["neg", "abs", "sign", "exp", "log", "sqrt", "tanh", "sigmoid", "relu"];
const BINARY_OPS: readonly BinaryOp[] = [
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "maximum",
  "minimum",
  "eq",
  "ne",
  "lt",
  "le",
  "gt",
  "ge",
];
const REDUCE_OPS: readonly ReduceOp[] = ["sum", "max", "min", "argmax", "argmin"];

/**
 * The kernels the thread pool may split: those that cut themselves (`*_part`, binary, reduce), and
 * element-wise ones (pool.ts's runPart cuts their arrays into 64-element-aligned chunks).
 */
const POOL_KERNELS: readonly string[] = [
  "matmul_f32_part",
  "im2col_x32_part",
  "col2im_f32_part",
  "maxpool2d_f32_part",
  "maxpool2d_backward_f32_part",
  // binary and reduce kernels cut themselves too (their last two arguments: part, parts)
  ...[...BINARY_OPS, ...REDUCE_OPS].flatMap((op) => [`${op}_f32`, `${op}_f64`, `${op}_i32`]),
  ...UNARY_OPS.flatMap((op) => [`${op}_f32`, `${op}_f64`, `${op}_i32`]),
  "fill_f32",
  "fill_f64",
  "fill_i32",
  "sgd_step_f32",
  "sgd_step_f64",
  "adam_step_f32",
  "adam_step_f64",
  "rmsprop_step_f32",
  "rmsprop_step_f64",
];

type ByDtype<F> = Record<DType, F>;

function byDtype<F>(f32: F, f64: F, i32: F): ByDtype<F> {
  return { float32: f32, float64: f64, int32: i32, int64: i32, bool: i32 };
}

function byWidth<F>(x32: F, x64: F): ByDtype<F> {
  return { float32: x32, float64: x64, int32: x32, int64: x32, bool: x32 };
}

/** Every kernel the backend calls, looked up once: tables by op and dtype. */
function kernelTables(k: KernelExports) {
  const byOp = <Op extends string, F>(ops: readonly Op[], kernels: (op: Op) => ByDtype<F>) =>
    Object.fromEntries(ops.map((op) => [op, kernels(op)])) as Record<Op, ByDtype<F>>;
  return {
    fill: byDtype(k.fill_f32, k.fill_f64, k.fill_i32),
    copyStrided: byWidth(k.copy_strided_x32, k.copy_strided_x64),
    unary: byOp(UNARY_OPS, (op) => byDtype(k[`${op}_f32`], k[`${op}_f64`], k[`${op}_i32`])),
    binary: byOp(BINARY_OPS, (op) => byDtype(k[`${op}_f32`], k[`${op}_f64`], k[`${op}_i32`])),
    reduce: byOp(REDUCE_OPS, (op) => byDtype(k[`${op}_f32`], k[`${op}_f64`], k[`${op}_i32`])),
    addScaled: byDtype(k.add_scaled_f32, k.add_scaled_f64, k.add_scaled_i32),
    addcmul: byDtype(k.addcmul_f32, k.addcmul_f64, k.addcmul_i32),
    addcdiv: byDtype(k.addcdiv_f32, k.addcdiv_f64, k.addcdiv_i32),
    lerp: byDtype(k.lerp_f32, k.lerp_f64, k.lerp_i32),
    where: byDtype(k.where_f32, k.where_f64, k.where_i32),
    im2col: byWidth(k.im2col_x32, k.im2col_x64),
    col2im: byDtype(k.col2im_f32, k.col2im_f64, k.col2im_i32),
    maxPool2d: byDtype(k.maxpool2d_f32, k.maxpool2d_f64, k.maxpool2d_i32),
    maxPool2dBackward: byDtype(k.maxpool2d_backward_f32, k.maxpool2d_backward_f64, k.maxpool2d_backward_i32),
    gatherRows: byWidth(k.gather_rows_x32, k.gather_rows_x64),
    scatterAddRows: byDtype(k.scatter_add_rows_f32, k.scatter_add_rows_f64, k.scatter_add_rows_i32),
    sgdStep: { float32: k.sgd_step_f32, float64: k.sgd_step_f64 },
    adamStep: { float32: k.adam_step_f32, float64: k.adam_step_f64 },
    rmspropStep: { float32: k.rmsprop_step_f32, float64: k.rmsprop_step_f64 },
  };
}

/** `Block.pointer` of a storage whose elements were moved to the JavaScript heap (see `sweep`). */
const EVICTED = -2;
/** `Block.pointer` of a freed storage. */
const FREED = -1;

/**
 * The sweep clock: every sweep advances it, and every kernel call stamps its operands with it, so
 * "not used since the last sweep" is `lastUse < clock`.
 */
let clock = 1;

/**
 * Where a storage's elements are: a block of the memory (`pointer`) or, once evicted, a copy in the
 * JavaScript heap (`evicted`). The backend's bookkeeping (the unscoped set, the finalizer) holds
 * blocks, never storages, so the garbage collector can still find a storage unreachable.
 */
class Block {
  /** Byte address of element 0; EVICTED or FREED otherwise. */
  pointer: Pointer;
  /** The sweep clock when a kernel last used it. */
  lastUse = clock;
  /** The elements while evicted. */
  evicted: Uint8Array | null = null;
  /** What freed it, for the error that a later use throws. */
  freedBy = "";
  /** Whether the finalizer watches its storage (see `watch`). */
  watched = false;
  constructor(
    pointer: Pointer,
    readonly bytes: number,
  ) {
    this.pointer = pointer;
  }
}

/** A storage of the kernels' memory: `length` elements of `dtype`, wherever its block is now. */
export class WasmStorage implements Storage {
  constructor(
    readonly block: Block,
    readonly length: number,
    readonly dtype: DType,
    readonly owner: WasmBackend,
  ) {}
  /** Byte address of element 0 (negative while evicted or once freed). */
  get pointer(): Pointer {
    return this.block.pointer;
  }
  get freed(): boolean {
    return this.block.pointer === FREED;
  }
}

/**
 * The address of a storage's elements for a kernel about to use them: an evicted storage is brought
 * back first; a freed one is an error that names what freed it.
 */
function pointerOf(s: Storage): Pointer {
  const block = (s as WasmStorage).block;
  if (block === undefined) throw new TypeError("this storage does not belong to the WebAssembly backend");
  if (block.pointer >= 0) {
    block.lastUse = clock;
    return block.pointer;
  }
  if (block.pointer === EVICTED) return (s as WasmStorage).owner.restore(s as WasmStorage);
  throw new Error(
    `this tensor's storage was freed${block.freedBy ? ` ${block.freedBy}` : ""}; it cannot be used any more`,
  );
}

/**
 * A sweep runs after this many unscoped bytes or storages have been allocated since the last one
 * (at least; see `sweep`). The count matters as much as the bytes: a small model's step makes many
 * small tensors, and the bookkeeping of thousands of them costs more than their bytes.
 */
const SWEEP_BYTES = 16 * 2 ** 20;
const SWEEP_STORAGES = 256;
/** Unscoped storages at least this large are also freed by the finalizer (see `release`). */
const WATCHED_BYTES = 4096;

/**
 * Drops size-1 dimensions and merges neighbours that every stride list walks contiguously, so the
 * kernels' last dimension is as long as possible (a dense tensor becomes one dimension).
 */
export function collapseDims(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d];
    if (size === 1) continue;
    const last = outShape.length - 1;
    // dimension d continues the previous kept one if, for every operand, stepping the previous one
    // equals stepping d `size` times
    if (last >= 0 && strides.every((s, t) => outStrides[t][last] === s[d] * size)) {
      outShape[last] *= size;
      strides.forEach((s, t) => (outStrides[t][last] = s[d]));
    } else {
      outShape.push(size);
      strides.forEach((s, t) => outStrides[t].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

export class WasmBackend implements Backend {
  readonly name = "wasm" as const;
  private readonly k: KernelExports;
  private readonly t: ReturnType<typeof kernelTables>;
  private readonly maximumBytes: number;
  /** Frees the blocks of storages the garbage collector found unreachable. */
  private readonly finalizer: FinalizationRegistry<Block>;
  /** Storages allocated while each open scope was the innermost, outermost scope first. */
  private readonly scopes: Set<WasmStorage>[] = [];
  /** Blocks of the storages in memory that no scope owns: what `sweep` looks after. */
  private readonly unscoped = new Set<Block>();
  /** Unscoped bytes allocated since the last sweep, and how many trigger the next one. */
  private sinceSweep = 0;
  private storagesSinceSweep = 0;
  private sweepThreshold = SWEEP_BYTES;
  private storageThreshold = SWEEP_STORAGES;
  private byteFloor = SWEEP_BYTES;
  /** `restoredBytes` at the last sweep: if it grew, sweeps come too often for the program's loop. */
  private restoredAtSweep = 0;
  /** Bytes moved out by sweeps and back by `restore`, in total (see `memoryStats`). */
  private evictedBytes = 0;
  private restoredBytes = 0;
  /** Scratch for the strided kernels' shape/stride/counter blocks. */
  private geometry: Pointer = 0;
  private geometryBytes = 0;
  /** Packing workspaces of matmul_f32, one per thread end to end, allocated on first use. */
  private matmulWork: Pointer = 0;
  private matmulWorkThreads = 0;
  /** The shared-memory build's module (null: this instance's memory is not shared) and its pool. */
  private readonly threadModule: WebAssembly.Module | null;
  private pool: ThreadPool | null = null;
  private poolThreads = 1;
  /** Scales every split threshold: tests set it near 0 so that small shapes split too. */
  splitScale = 1;
  /** A view of the memory for the geometry scratch (see int32View). */
  private i32view = new Int32Array(0);

  /**
   * Whether this instance runs the relaxed-SIMD build (`setBackend("wasm", { relaxedSimd: true })`):
   * float32 GEMM may use fused multiply-add, so matmul and conv round differently from the exact build.
   */
  readonly relaxedSimd: boolean;

  constructor(
    kernels: KernelExports,
    maximumBytes: number,
    relaxedSimd = false,
    threadModule: WebAssembly.Module | null = null,
  ) {
    this.relaxedSimd = relaxedSimd;
    this.threadModule = threadModule;
    this.k = kernels;
    this.t = kernelTables(kernels);
    this.maximumBytes = maximumBytes;
    this.finalizer = new FinalizationRegistry((block) => {
      block.watched = false;
      if (block.pointer <= 0) return;
      kernels.free(block.pointer);
      block.pointer = FREED;
      this.unscoped.delete(block);
    });
  }

  // ---- memory ------------------------------------------------------------------------------------

  /** A block for `length` elements of `dtype`, with a clear error when the memory is exhausted. */
  private allocate(dtype: DType, length: number, zeroed: boolean): WasmStorage {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`cannot allocate ${length} elements`);
    if (length === 0) return new WasmStorage(new Block(0, 0), 0, dtype, this);
    const bytes = length * BYTES[dtype];
    const unscoped = this.scopes.length === 0;
    if (unscoped) {
      this.sinceSweep += bytes;
      this.storagesSinceSweep++;
      if (this.sinceSweep > this.sweepThreshold || this.storagesSinceSweep > this.storageThreshold) this.sweep();
    }
    let raw = this.rawAlloc(bytes, zeroed);
    if (raw === 0 && this.unscoped.size > 0) {
      // full: move out what the program is not using, then try once more
      this.sweep();
      raw = this.rawAlloc(bytes, zeroed);
    }
    if (raw === 0) this.exhausted(bytes, length, dtype);
    const block = new Block(raw >>> 0, bytes);
    const s = new WasmStorage(block, length, dtype, this);
    if (unscoped) this.release(s);
    else this.scopes[this.scopes.length - 1].add(s);
    return s;
  }

  private rawAlloc(bytes: number, zeroed: boolean): Pointer {
    if (bytes >= 2 ** 32) return 0;
    return zeroed ? this.k.alloc_zeroed(bytes) : this.k.alloc(bytes);
  }

  private exhausted(bytes: number, length: number, dtype: DType): never {
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
    const stats = this.memoryStats();
    throw new RangeError(
      `WebAssembly memory exhausted: requested ${bytes} bytes (${length} ${dtype} elements); ` +
        `live tensors hold ${mib(stats.liveBytes)}, the memory is ${mib(stats.memoryBytes)} of at most ${mib(stats.maximumBytes)}. ` +
        "Free tensors you no longer need: wrap each step in tidy(() => ...), or call dispose(t) / t.dispose() " +
        '(see "Tensor lifetimes" in the README).',
    );
  }

  /**
   * Moves the elements of every unscoped storage that no kernel has used since the previous sweep
   * into the JavaScript heap, and frees its block.
   *
   * This is what lets a plain PyTorch-style loop, with no `tidy`, run in bounded memory: JavaScript
   * gives no signal when a variable drops a tensor, and the FinalizationRegistry only runs between
   * tasks, never inside a synchronous loop. So the backend treats its memory as a cache of the
   * storages in use: a storage the loop still uses (parameters, optimizer state, this step's
   * tensors) stays, and one it does not (last steps' activations, batches, losses) moves to an
   * ordinary `Uint8Array`, which the garbage collector reclaims — during the loop — once nothing
   * references the tensor. If a program does use an evicted tensor again, the next kernel brings it
   * back (`restore`), so nothing a program can reach is ever lost. Storages in a `tidy` scope are not
   * touched: the scope frees them deterministically.
   */
  sweep(advance = true): void {
    const memory = this.k.memory.buffer;
    let residentBytes = 0;
    for (const block of this.unscoped) {
      if (block.lastUse >= clock) {
        residentBytes += block.bytes;
        continue;
      }
      block.evicted = new Uint8Array(memory, block.pointer, block.bytes).slice();
      this.unwatch(block);
      this.k.free(block.pointer);
      block.pointer = EVICTED;
      this.unscoped.delete(block);
      this.evictedBytes += block.bytes;
    }
    if (!advance) return;
    clock++;
    this.sinceSweep = 0;
    this.storagesSinceSweep = 0;
    // sweep again after another quarter of what stays (at least SWEEP_BYTES) has been allocated, so a
    // large model's parameters are not scanned too often; and if storages moved out by the last sweep
    // were needed again, the loop's step is longer than the interval: lengthen it
    if (this.restoredBytes > this.restoredAtSweep) {
      this.storageThreshold = Math.min(2 * this.storageThreshold, 2 ** 20);
      this.byteFloor = Math.min(2 * this.byteFloor, 2 ** 30);
    }
    this.restoredAtSweep = this.restoredBytes;
    this.sweepThreshold = Math.max(this.byteFloor, residentBytes / 4);
  }

  /** Brings an evicted storage's elements back into the memory (called by `pointerOf`). */
  restore(s: WasmStorage): Pointer {
    const block = s.block;
    const evicted = block.evicted!;
    let raw = this.k.alloc(block.bytes);
    if (raw === 0) {
      // full: move out what no kernel has used since the last sweep — but without advancing the
      // clock, so that the operands this kernel call has already located stay where they are
      this.sweep(false);
      raw = this.k.alloc(block.bytes);
    }
    if (raw === 0) this.exhausted(block.bytes, s.length, s.dtype);
    new Uint8Array(this.k.memory.buffer, raw >>> 0, block.bytes).set(evicted);
    block.evicted = null;
    block.pointer = raw >>> 0;
    block.lastUse = clock;
    this.release(s);
    this.sinceSweep += block.bytes;
    this.restoredBytes += block.bytes;
    return block.pointer;
  }

  alloc(dtype: DType, length: number): Storage {
    return this.allocate(dtype, length, true);
  }

  fromArray(dtype: DType, values: ArrayLike<number>): Storage {
    const s = this.allocate(dtype, values.length, false);
    this.view(s).set(normalized(dtype, values));
    return s;
  }

  /** A typed-array view of the storage's elements, valid until the memory next grows. */
  view(s: Storage): TypedArray {
    const p = pointerOf(s);
    const buffer = this.k.memory.buffer;
    switch (storageDType(s.dtype)) {
      case "float32":
        return new Float32Array(buffer, p, s.length);
      case "float64":
        return new Float64Array(buffer, p, s.length);
      case "int32":
        return new Int32Array(buffer, p, s.length);
    }
  }

  read(s: Storage): TypedArray {
    return this.view(s).slice();
  }

  write(s: Storage, values: ArrayLike<number>): void {
    if (values.length !== s.length) {
      throw new RangeError(`write: storage holds ${s.length} elements but ${values.length} were given`);
    }
    this.view(s).set(normalized(s.dtype, values));
  }

  /**
   * Returns the storage's block now. `reason` completes the error a later use throws ("this tensor's
   * storage was freed <reason>"). Freeing twice is harmless; using a freed storage throws.
   */
  free(s: Storage, reason = "(by dispose())"): void {
    const block = (s as WasmStorage).block;
    if (block === undefined) throw new TypeError("this storage does not belong to the WebAssembly backend");
    if (block.pointer === FREED) return;
    if (block.pointer === EVICTED) {
      block.evicted = null;
    } else if (block.bytes > 0) {
      this.unwatch(block);
      this.unscoped.delete(block);
      this.k.free(block.pointer);
    }
    block.pointer = FREED;
    block.freedBy = reason;
  }

  /**
   * Opens a scope: storages allocated until the matching `endScope` are freed by it, unless kept.
   * Scopes nest. The front end builds `tidy(fn)` on this pair.
   */
  startScope(): void {
    this.scopes.push(new Set());
  }

  /**
   * Closes the innermost scope, freeing its storages except those in `keep` and those `keep()`
   * was called on; the kept ones move to the enclosing scope, if any. `reason` is passed to `free`.
   */
  endScope(
    keep: Iterable<Storage> = [],
    reason = "(by the tidy() that allocated it: return it from the function, or keep() it)",
  ): void {
    const scope = this.scopes.pop();
    if (scope === undefined) throw new Error("endScope() without a matching startScope()");
    const kept = new Set<Storage>(keep);
    const parent = this.scopes[this.scopes.length - 1];
    for (const s of scope) {
      if (!kept.has(s)) this.free(s, reason);
      else if (parent !== undefined) parent.add(s);
      else this.release(s);
    }
  }

  scopeStorages(): Iterable<Storage> {
    return this.scopes[this.scopes.length - 1] ?? [];
  }

  /** Exempts a storage from every open scope: it lives until freed or garbage-collected. */
  keep(s: Storage): void {
    let scoped = false;
    for (const scope of this.scopes) scoped = scope.delete(s as WasmStorage) || scoped;
    if (scoped) this.release(s as WasmStorage);
  }

  /**
   * A storage that no scope owns joins the unscoped ones that sweeps look after, and, if it is
   * large, the finalizer watches it too: when the event loop turns, a large unreachable storage is
   * freed without being copied out first. (Storages in a scope need neither: the scope frees them.
   * Small ones are left to sweeps, which move them out cheaply: registering every small tensor with
   * the FinalizationRegistry would cost more than the op that made it.)
   */
  private release(s: WasmStorage): void {
    const block = s.block;
    if (block.pointer <= 0) return;
    this.unscoped.add(block);
    if (block.bytes >= WATCHED_BYTES && !block.watched) {
      this.finalizer.register(s, block, block);
      block.watched = true;
    }
  }

  private unwatch(block: Block): void {
    if (!block.watched) return;
    this.finalizer.unregister(block);
    block.watched = false;
  }

  /** Byte counts of the allocator and the memory (for tests, benchmarks and leak hunting). */
  memoryStats(): MemoryStats {
    return {
      liveBytes: this.k.heap_live_bytes(),
      heapBytes: this.k.heap_top(),
      memoryBytes: this.k.memory.buffer.byteLength,
      maximumBytes: this.maximumBytes,
      evictedBytes: this.evictedBytes,
      restoredBytes: this.restoredBytes,
    };
  }

  /** The kernels module's memory (tests watch its size). */
  get memory(): WebAssembly.Memory {
    return this.k.memory;
  }

  /** The raw kernel exports, for benchmarks that time a kernel alone. */
  get kernels(): KernelExports {
    return this.k;
  }

  /** The byte address of a storage's first element (for benchmarks and debugging). */
  pointerOf(s: Storage): Pointer {
    return pointerOf(s);
  }

  /**
   * Writes int32 blocks of `ndim` entries into the geometry scratch, followed by a zeroed counter
   * block for the kernel's odometer, with `spare` bytes of room after the blocks (binary.ts's
   * per-part counters), and returns its address.
   */
  private writeGeometry(blocks: readonly (readonly number[])[], ndim: number, spare = ndim * 4): Pointer {
    const bytes = blocks.length * ndim * 4 + Math.max(spare, ndim * 4);
    if (bytes > this.geometryBytes) {
      if (this.geometry !== 0) this.k.free(this.geometry);
      this.geometryBytes = Math.max(1024, bytes);
      const raw = this.k.alloc(this.geometryBytes);
      if (raw === 0) this.exhausted(this.geometryBytes, this.geometryBytes / 4, "int32");
      this.geometry = raw >>> 0;
    }
    const view = this.int32View(this.geometry + bytes);
    let at = this.geometry >>> 2;
    for (const block of blocks) for (let d = 0; d < ndim; d++) view[at++] = block[d];
    for (let d = 0; d < ndim; d++) view[at++] = 0;
    return this.geometry;
  }

  /**
   * An Int32Array over the memory that reaches byte `end`. The memory's `buffer` getter is slow on a
   * shared memory, so the view is replaced only when it falls short: memory.grow detaches a
   * non-shared memory's old buffer (length 0), while a shared memory's old buffer stays valid up to
   * its old length.
   */
  private int32View(end: number): Int32Array {
    if (this.i32view.byteLength < end) this.i32view = new Int32Array(this.k.memory.buffer);
    return this.i32view;
  }

  /** writeGeometry for one dimension of n elements with the two strides given, without arrays. */
  private writeDenseGeometry(n: number, aStride: number, bStride: number): Pointer {
    if (this.geometryBytes < 16) return this.writeGeometry([[n], [aStride], [bStride]], 1);
    const at = this.geometry >>> 2;
    const view = this.int32View(this.geometry + 16);
    view[at] = n;
    view[at + 1] = aStride;
    view[at + 2] = bStride;
    view[at + 3] = 0; // the odometer's counter
    return this.geometry;
  }

  // ---- fill / copy -------------------------------------------------------------------------------

  fill(out: Storage, value: number): void {
    const parts = this.elementwiseParts(out.length);
    if (parts === 1) this.t.fill[out.dtype](pointerOf(out), roundToDType(out.dtype, value), out.length);
    else
      this.runElementwise(
        `fill_${SUFFIX[out.dtype]}`,
        [pointerOf(out), roundToDType(out.dtype, value), out.length],
        parts,
        2,
        0b1,
        BYTES[out.dtype],
      );
  }

  cast(out: Storage, a: Storage): void {
    if (out.dtype === "bool" && a.dtype !== "bool") return this.castToBool(out, a);
    const [o, x] = [pointerOf(out), pointerOf(a)];
    if (SUFFIX[out.dtype] === SUFFIX[a.dtype]) {
      if (o !== x) this.k.copy_bytes(o, x, a.length * BYTES[a.dtype]);
      return;
    }
    const n = a.length;
    switch (`${SUFFIX[a.dtype]}_to_${SUFFIX[out.dtype]}`) {
      case "f32_to_f64":
        return this.k.cast_f32_to_f64(o, x, n);
      case "f64_to_f32":
        return this.k.cast_f64_to_f32(o, x, n);
      case "f32_to_i32":
        return this.k.cast_f32_to_i32(o, x, n);
      case "f64_to_i32":
        return this.k.cast_f64_to_i32(o, x, n);
      case "i32_to_f32":
        return this.k.cast_i32_to_f32(o, x, n);
      case "i32_to_f64":
        return this.k.cast_i32_to_f64(o, x, n);
    }
  }

  /** out = (a != 0): the comparison kernel in a's type, narrowed to int32 if a is a float. */
  private castToBool(out: Storage, a: Storage): void {
    const n = a.length;
    if (n === 0) return;
    const zero = this.alloc(a.dtype, 1);
    const ones = SUFFIX[a.dtype] === "i32" ? out : this.allocate(a.dtype, n, false);
    this.binary("ne", ones, a, [1], zero, [0], [n]);
    if (ones !== out) {
      // the 0/1 floats convert exactly
      const narrow = a.dtype === "float32" ? this.k.cast_f32_to_i32 : this.k.cast_f64_to_i32;
      narrow(pointerOf(out), pointerOf(ones), n);
      this.free(ones);
    }
    this.free(zero);
  }

  copyStrided(
    out: Storage,
    outOffset: number,
    outStrides: readonly number[],
    a: Storage,
    aOffset: number,
    aStrides: readonly number[],
    shape: readonly number[],
  ): void {
    if (shape.some((d) => d === 0)) return;
    const { shape: dims, strides } = collapseDims(shape, [outStrides, aStrides]);
    const geometry = this.writeGeometry([dims, ...strides], dims.length);
    this.t.copyStrided[a.dtype](pointerOf(out), outOffset, pointerOf(a), aOffset, geometry, dims.length);
  }

  // ---- element-wise ------------------------------------------------------------------------------

  unary(op: UnaryOp, out: Storage, a: Storage): void {
    const parts = this.elementwiseParts(a.length);
    if (parts === 1) this.t.unary[op][a.dtype](pointerOf(out), pointerOf(a), a.length);
    else
      this.runElementwise(
        `${op}_${SUFFIX[a.dtype]}`,
        [pointerOf(out), pointerOf(a), a.length],
        parts,
        2,
        0b11,
        BYTES[a.dtype],
      );
  }

  binary(
    op: BinaryOp,
    out: Storage,
    a: Storage,
    aStrides: readonly number[],
    b: Storage,
    bStrides: readonly number[],
    shape: readonly number[],
  ): void {
    if (out.length === 0) return;
    const kernel = this.t.binary[op][out.dtype];
    // (pow calls the libm per element: worth splitting as early as the unary functions)
    const cheap = op !== "pow";
    // the common cases (same shape, or a scalar on either side) collapse to one dimension: skip
    // collapseDims's arrays, which cost more than the kernel itself on small tensors
    const aKind = strideKind(aStrides, shape);
    const bKind = strideKind(bStrides, shape);
    if (aKind !== Strides.Other && bKind !== Strides.Other) {
      const geometry = this.writeDenseGeometry(
        out.length,
        aKind === Strides.Dense ? 1 : 0,
        bKind === Strides.Dense ? 1 : 0,
      );
      // (one row: the kernel's units are 64-element chunks, as elementwiseParts counts them)
      const parts = this.elementwiseParts(out.length, Math.ceil(out.length / 64), cheap);
      if (parts === 1) kernel(pointerOf(out), pointerOf(a), pointerOf(b), geometry, 1, 0, 1);
      else
        this.threadPool().run(
          `${op}_${SUFFIX[out.dtype]}`,
          [pointerOf(out), pointerOf(a), pointerOf(b), geometry, 1],
          parts,
        );
      return;
    }
    let { shape: dims, strides } = collapseDims(shape, [aStrides, bStrides]);
    if (dims.length === 0) [dims, strides] = [[1], [[0], [0]]]; // one element
    // the kernel's units: runs of up to 64 elements of a row (the last dimension)
    const inner = dims[dims.length - 1];
    const parts = this.elementwiseParts(out.length, (out.length / inner) * Math.ceil(inner / 64), cheap);
    // binary.ts's counters: one per part on 64-byte lines of its own, from a 64-byte boundary
    const geometry = this.writeGeometry([dims, ...strides], dims.length, 63 + parts * Math.ceil(dims.length / 16) * 64);
    const [o, x, y, ndim] = [pointerOf(out), pointerOf(a), pointerOf(b), dims.length];
    if (parts === 1) kernel(o, x, y, geometry, ndim, 0, 1);
    else this.threadPool().run(`${op}_${SUFFIX[out.dtype]}`, [o, x, y, geometry, ndim], parts);
  }

  // ---- fused in-place updates --------------------------------------------------------------------

  addScaled(out: Storage, a: Storage, b: Storage, alpha: number): void {
    this.t.addScaled[out.dtype](pointerOf(out), pointerOf(a), pointerOf(b), alpha, out.length);
  }

  addcmul(out: Storage, a: Storage, t1: Storage, t2: Storage, value: number): void {
    this.t.addcmul[out.dtype](pointerOf(out), pointerOf(a), pointerOf(t1), pointerOf(t2), value, out.length);
  }

  addcdiv(out: Storage, a: Storage, t1: Storage, t2: Storage, value: number): void {
    this.t.addcdiv[out.dtype](pointerOf(out), pointerOf(a), pointerOf(t1), pointerOf(t2), value, out.length);
  }

  lerp(out: Storage, a: Storage, b: Storage, weight: number): void {
    this.t.lerp[out.dtype](pointerOf(out), pointerOf(a), pointerOf(b), weight, out.length);
  }

  clamp(out: Storage, a: Storage, lo: number, hi: number): void {
    const [o, x, n] = [pointerOf(out), pointerOf(a), out.length];
    if (out.dtype === "float32") this.k.clamp_f32(o, x, float32Above(lo), float32Below(hi), lo, hi, n);
    else if (out.dtype === "float64") this.k.clamp_f64(o, x, lo, hi, n);
    else this.k.clamp_i32(o, x, lo, hi, lo | 0, hi | 0, n);
  }

  where(out: Storage, cond: Storage, a: Storage, b: Storage): void {
    this.t.where[out.dtype](pointerOf(out), pointerOf(cond), pointerOf(a), pointerOf(b), out.length);
  }

  // ---- reductions --------------------------------------------------------------------------------

  reduce(op: ReduceOp, out: Storage, a: Storage, outer: number, size: number, inner: number): void {
    // split over whole outputs only (runs of up to 64 of a line's `inner`), never inside one
    const parts = this.elementwiseParts(a.length, outer * Math.ceil(inner / 64), true);
    if (parts === 1) this.t.reduce[op][a.dtype](pointerOf(out), pointerOf(a), outer, size, inner, 0, 1);
    else this.threadPool().run(`${op}_${SUFFIX[a.dtype]}`, [pointerOf(out), pointerOf(a), outer, size, inner], parts);
  }

  // ---- linear algebra ----------------------------------------------------------------------------

  matmul(
    out: Storage,
    a: Storage,
    b: Storage,
    batch: number,
    m: number,
    k: number,
    n: number,
    aBatchStride: number,
    bBatchStride: number,
    transA: boolean,
    transB: boolean,
  ): void {
    const args = [
      pointerOf(out),
      pointerOf(a),
      pointerOf(b),
      batch,
      m,
      k,
      n,
      aBatchStride,
      bBatchStride,
      +transA,
      +transB,
    ] as const;
    if (out.dtype === "float32") {
      // matmul_f32_part cuts runs of 4-row panels, but every part packs op(B) again: parts of at
      // least 64 rows keep that cost small next to the product, unless that leaves fewer parts than threads
      const units = Math.max(batch * Math.ceil(m / 64), Math.min(batch * Math.ceil(m / 4), this.threads()));
      const parts = this.partsFor(units, batch * m * k * n, MIN_MADDS_PER_PART);
      const work = this.matmulWorkspaces(parts === 1 ? 1 : this.threads());
      if (parts === 1) this.k.matmul_f32(...args, work);
      else
        this.threadPool().run("matmul_f32_part", [...args, work], parts, {
          scratch: { arg: args.length, bytes: this.k.matmul_workspace_bytes() },
        });
    } else if (out.dtype === "float64") {
      this.k.matmul_f64(...args);
    } else {
      this.k.matmul_i32(...args);
    }
  }

  // ---- threads -----------------------------------------------------------------------------------

  /** Threads this instance's kernels may use: getNumThreads(), or 1 without a shared memory. */
  threads(): number {
    return this.threadModule === null ? 1 : getNumThreads();
  }

  /** Why this instance runs on one thread whatever setNumThreads says, or null if it can use more. */
  singleThreadReason(): string | null {
    if (this.threadModule === null)
      return sharedMemoryUnavailable() ?? "this instance was created without shared memory";
    return null;
  }

  /**
   * Starts the pool for the current thread count now rather than at the first large kernel, and
   * resolves when its workers are ready (benchmarks and tests; kernels never wait for workers).
   * Returns the pool, or null when this instance runs on one thread.
   */
  async startThreads(): Promise<ThreadPool | null> {
    if (this.threads() <= 1) return null;
    const pool = this.threadPool();
    await pool.whenReady();
    return pool;
  }

  /**
   * How many parts to cut a kernel call into: 1 on one thread, else up to PARTS_PER_THREAD per
   * thread, but no more than the units the kernel can split (row panels, images) or `work / minWork`
   * (so that each part is worth waking a thread for). More parts than threads let the main thread
   * take over the parts of a worker that the OS has not scheduled yet (any thread may run any part,
   * and the cut never changes a bit of the result).
   */
  private partsFor(units: number, work: number, minWork: number): number {
    const threads = this.threads();
    if (threads === 1) return 1;
    const parts = Math.min(
      threads * PARTS_PER_THREAD,
      MAX_PARTS,
      units,
      Math.floor(work / (minWork * this.splitScale)),
    );
    return parts >= 2 ? parts : 1;
  }

  /**
   * Parts to cut an element-wise call over `n` elements (`units` pieces the kernel can split, by
   * default 64-element chunks; `cheap`: a binary op or reduction) into: 1 (the common, small case,
   * decided without a call to threads()) unless the call is worth splitting.
   */
  private elementwiseParts(n: number, units = Math.ceil(n / 64), cheap = false): number {
    const least = cheap ? MIN_CHEAP_ELEMENTS_TO_SPLIT : 2 * MIN_ELEMENTS_PER_PART;
    if (this.threadModule === null || n < least * this.splitScale) return 1;
    return this.partsFor(units, n, cheap ? MIN_CHEAP_ELEMENTS_PER_PART : MIN_ELEMENTS_PER_PART);
  }

  /** Runs element-wise kernel `name` in `parts` parts; `pointers` marks the array arguments, `count` the element count. */
  private runElementwise(
    name: string,
    args: readonly number[],
    parts: number,
    count: number,
    pointers: number,
    bytes: number,
  ): void {
    const split: Split = { elementwise: { count, pointers, bytes } };
    this.threadPool().run(name, args, parts, split);
  }

  /** `threads` matmul_f32 workspaces, end to end. */
  private matmulWorkspaces(threads: number): Pointer {
    if (this.matmulWorkThreads < threads) {
      if (this.matmulWork !== 0) this.k.free(this.matmulWork);
      this.matmulWork = 0;
      this.matmulWorkThreads = 0;
      const bytes = this.k.matmul_workspace_bytes() * threads;
      const raw = this.k.alloc(bytes);
      if (raw === 0) this.exhausted(bytes, bytes / 4, "float32");
      this.matmulWork = raw >>> 0;
      this.matmulWorkThreads = threads;
    }
    return this.matmulWork;
  }

  /** The pool for this.threads() threads (the main one and the rest workers), started on first use. */
  private threadPool(): ThreadPool {
    const wanted = this.threads();
    if (this.pool === null || this.poolThreads !== wanted) {
      this.pool?.close();
      this.pool = new ThreadPool(this.threadModule!, this.k.memory, this.k, POOL_KERNELS, wanted - 1);
      this.poolThreads = wanted;
    }
    return this.pool;
  }

  // ---- convolution and pooling -------------------------------------------------------------------

  im2col(cols: Storage, x: Storage, w: Window2d): void {
    const args = [pointerOf(cols), pointerOf(x), ...windowArgs(w)] as const;
    const parts = BYTES[x.dtype] === 4 ? this.partsFor(w.batch, cols.length, MIN_ELEMENTS_PER_PART) : 1;
    if (parts === 1) this.t.im2col[x.dtype](...args);
    else this.threadPool().run("im2col_x32_part", args, parts);
  }

  col2im(out: Storage, cols: Storage, w: Window2d): void {
    const args = [pointerOf(out), pointerOf(cols), ...windowArgs(w)] as const;
    const parts = out.dtype === "float32" ? this.partsFor(w.batch, cols.length, MIN_ELEMENTS_PER_PART) : 1;
    if (parts === 1) this.t.col2im[out.dtype](...args);
    else this.threadPool().run("col2im_f32_part", args, parts);
  }

  maxPool2d(out: Storage, indices: Storage, x: Storage, w: Window2d): void {
    const args = [pointerOf(out), pointerOf(indices), pointerOf(x), ...windowArgs(w)] as const;
    const parts = x.dtype === "float32" ? this.partsFor(w.batch, x.length, MIN_ELEMENTS_PER_PART) : 1;
    if (parts === 1) this.t.maxPool2d[x.dtype](...args);
    else this.threadPool().run("maxpool2d_f32_part", args, parts);
  }

  maxPool2dBackward(gradX: Storage, gradOut: Storage, indices: Storage, w: Window2d): void {
    const planes = w.batch * w.channels;
    const args = [
      pointerOf(gradX),
      pointerOf(gradOut),
      pointerOf(indices),
      planes,
      w.height * w.width,
      w.outH * w.outW,
    ] as const;
    const parts = gradX.dtype === "float32" ? this.partsFor(planes, gradX.length, MIN_ELEMENTS_PER_PART) : 1;
    if (parts === 1) this.t.maxPool2dBackward[gradX.dtype](...args);
    else this.threadPool().run("maxpool2d_backward_f32_part", args, parts);
  }

  // ---- gather / scatter --------------------------------------------------------------------------

  gatherRows(out: Storage, src: Storage, idx: Storage, rowSize: number): void {
    this.t.gatherRows[src.dtype](pointerOf(out), pointerOf(src), pointerOf(idx), idx.length, rowSize);
  }

  scatterAddRows(out: Storage, src: Storage, idx: Storage, rowSize: number): void {
    this.t.scatterAddRows[out.dtype](pointerOf(out), pointerOf(src), pointerOf(idx), idx.length, rowSize);
  }

  wrapIndices(out: Storage, idx: Storage, size: number, negative: boolean, error: (value: number) => Error): void {
    const bad = this.k.wrap_indices_i32(pointerOf(out), pointerOf(idx), idx.length, size, +negative);
    if (bad >= 0) throw error(new Int32Array(this.k.memory.buffer, pointerOf(idx), idx.length)[bad]);
  }

  /** A block left as the allocator hands it out (a reused block holds old values): no zero fill. */
  allocUninitialized(dtype: DType, length: number): Storage {
    return this.allocate(dtype, length, false);
  }

  // ---- fused optimizer steps (assembly/optim_steps.ts) -------------------------------------------
  // The kernels take each scalar as T, so float32 ones round here exactly as the unfused ops round
  // them (1 − β formed in float64 first); the booleans travel as the kernels' flag bits.

  sgdStep(param: Storage, grad: Storage, momentumBuffer: Storage | null, s: SgdStepScalars): void {
    const flags =
      (s.maximize ? 1 : 0) |
      (s.weightDecay !== 0 ? 2 : 0) |
      (momentumBuffer !== null ? 4 : 0) |
      (s.firstStep ? 8 : 0) |
      (s.nesterov ? 16 : 0);
    const buffer = momentumBuffer === null ? 0 : pointerOf(momentumBuffer);
    const args = [
      pointerOf(param),
      pointerOf(grad),
      buffer,
      param.length,
      flags,
      s.weightDecay,
      s.momentum,
      1 - s.dampening,
      -s.lr,
    ] as const;
    const parts = this.elementwiseParts(param.length);
    if (parts === 1) this.t.sgdStep[floatDtype(param)](...args);
    else this.runElementwise(`sgd_step_${SUFFIX[floatDtype(param)]}`, args, parts, 3, 0b111, BYTES[param.dtype]);
  }

  adamStep(
    param: Storage,
    grad: Storage,
    expAvg: Storage,
    expAvgSq: Storage,
    maxExpAvgSq: Storage | null,
    s: AdamStepScalars,
  ): void {
    const flags =
      (s.maximize ? 1 : 0) |
      (!s.decoupledWeightDecay && s.weightDecay !== 0 ? 2 : 0) |
      (s.decoupledWeightDecay ? 4 : 0) |
      (maxExpAvgSq !== null ? 8 : 0);
    const vmax = maxExpAvgSq === null ? 0 : pointerOf(maxExpAvgSq);
    const args = [
      pointerOf(param),
      pointerOf(grad),
      pointerOf(expAvg),
      pointerOf(expAvgSq),
      vmax,
      param.length,
      flags,
      s.beta1,
      1 - s.beta1,
      s.beta2,
      1 - s.beta2,
      s.weightDecay,
      1 - s.lr * s.weightDecay,
      s.biasCorrection2Sqrt,
      s.eps,
      -s.stepSize,
      s.step ? pointerOf(s.step) : 0,
      s.lr,
    ] as const;
    const parts = this.elementwiseParts(param.length);
    if (parts === 1) this.t.adamStep[floatDtype(param)](...args);
    else this.runElementwise(`adam_step_${SUFFIX[floatDtype(param)]}`, args, parts, 5, 0b11111, BYTES[param.dtype]);
  }

  rmspropStep(
    param: Storage,
    grad: Storage,
    squareAvg: Storage,
    gradAvg: Storage | null,
    momentumBuffer: Storage | null,
    s: RmspropStepScalars,
  ): void {
    const flags =
      (s.maximize ? 1 : 0) |
      (s.weightDecay !== 0 ? 2 : 0) |
      (gradAvg !== null ? 4 : 0) |
      (momentumBuffer !== null ? 8 : 0);
    const args = [
      pointerOf(param),
      pointerOf(grad),
      pointerOf(squareAvg),
      gradAvg === null ? 0 : pointerOf(gradAvg),
      momentumBuffer === null ? 0 : pointerOf(momentumBuffer),
      param.length,
      flags,
      s.weightDecay,
      s.alpha,
      1 - s.alpha,
      s.eps,
      s.momentum,
      -s.lr,
    ] as const;
    const parts = this.elementwiseParts(param.length);
    if (parts === 1) this.t.rmspropStep[floatDtype(param)](...args);
    else this.runElementwise(`rmsprop_step_${SUFFIX[floatDtype(param)]}`, args, parts, 5, 0b11111, BYTES[param.dtype]);
  }
}

/** The dtype of a fused optimizer step's operands, which only float kernels exist for. */
function floatDtype(s: Storage): "float32" | "float64" {
  if (s.dtype !== "float32" && s.dtype !== "float64")
    throw new TypeError(`fused optimizer steps need float32 or float64 parameters, got ${s.dtype}`);
  return s.dtype;
}

const f32bits = new Float32Array(1);
const i32bits = new Int32Array(f32bits.buffer);

/**
 * The smallest float32 ≥ x: for a float32 v, v < x exactly when v < float32Above(x), which lets the
 * kernel compare in float32 as the reference compares in double. NaN stays NaN.
 */
function float32Above(x: number): number {
  f32bits[0] = x;
  const f = f32bits[0];
  if (!(f < x)) return f; // rounded up or exact (or NaN)
  i32bits[0] += f >= 0 ? 1 : -1; // one step toward +Infinity (f is not -0: fround keeps the sign of x > f)
  return f32bits[0];
}

/** The largest float32 ≤ x (see float32Above). */
function float32Below(x: number): number {
  return -float32Above(-x);
}

function windowArgs(w: Window2d) {
  return [
    w.batch,
    w.channels,
    w.height,
    w.width,
    w.kernelH,
    w.kernelW,
    w.strideH,
    w.strideW,
    w.padH,
    w.padW,
    w.outH,
    w.outW,
  ] as const;
}

const enum Strides {
  Dense,
  Scalar,
  Other,
}

/** Whether strides walk `shape` densely (row-major), read one element throughout (all 0), or neither. */
function strideKind(strides: readonly number[], shape: readonly number[]): Strides {
  let dense = true;
  let scalar = true;
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d];
    if (size === 1) continue;
    const stride = strides[d];
    if (stride !== expected) dense = false;
    if (stride !== 0) scalar = false;
    expected *= size;
  }
  return dense ? Strides.Dense : scalar ? Strides.Scalar : Strides.Other;
}

/** A WebAssembly backend with its own instance of the kernels and its own memory. */
export async function createWasmBackend(options: LoadOptions = {}): Promise<WasmBackend> {
  const { kernels, maximumBytes, module } = await instantiateKernels(options);
  return new WasmBackend(kernels, maximumBytes, options.relaxedSimd ?? false, options.threads ? module : null);
}
