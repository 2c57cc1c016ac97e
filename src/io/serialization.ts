/**
 * `load` and `save`: PyTorch's `.pt` files (what `torch.save` writes since 1.6), both ways.
 *
 * A `.pt` file is a zip (see zip.ts) holding
 *   <name>/data.pkl    the object, pickled (see pickle.ts), with each tensor's storage replaced by a
 *                      "persistent id" ('storage', torch.FloatStorage, key, 'cpu', numel)
 *   <name>/data/<key>  each storage's raw little-endian bytes
 *   <name>/version     "3"
 * and a tensor is pickled as a call `torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
 * requires_grad, hooks)`: a view of `size` elements starting at `offset` with the given strides.
 *
 * Loading copies each tensor's elements out of its storage (gradstep tensors are dense), so two
 * tensors that viewed one storage in PyTorch become two tensors here, each with its own correct
 * elements; the same tensor referenced twice (pickle's memo) stays one gradstep tensor.
 * What Python values become is listed in pickle.ts (dicts become plain objects, OrderedDict order
 * kept, apart from JavaScript's rule that integer-like keys such as "2" come first in ascending
 * order); dtype conversions are in storage.ts.
 *
 * Saving writes a plain object whose values are all tensors (a module's `stateDict()`), a `Map`, or
 * an object loaded from an OrderedDict as an OrderedDict, other plain objects as dicts (integer-like
 * keys as ints, as an optimizer's `state` needs), arrays as lists (as tuples under the keys `betas`,
 * `etas`, `step_sizes`, or when loaded from a tuple), whole numbers as ints (unless they were loaded as
floats, see FLOATS in pickle.ts) and others as floats.
 * PyTorch 1.13 then loads the file with `torch.load`; with `weights_only=True` it loads what holds no
 * Python float (1.13's restricted unpickler lacks the float opcode, for its own files too).
 */
import { noGrad } from "../autograd.js";
import { tensor } from "../creation.js";
import { Tensor } from "../tensor.js";
import type { TypedArray } from "../dtype.js";
import { numelOf } from "../shape.js";
import { readZip, writeZip, ZipError } from "./zip.js";
import { isIndex, markAs, ORDERED, Pickler, unpickle, type PickleFunction } from "./pickle.js";
import { fileBytes, STORAGE_FOR, STORAGE_TYPES, toGradstep, type TorchDType } from "./storage.js";
import { readBytes, writeBytesAtomic } from "./files.js";

/** A storage named by the pickle, decoded on first use. */
interface StorageRef {
  readonly key: string;
  readonly type: TorchDType;
  readonly numel: number;
  decoded?: { dtype: Tensor["dtype"]; values: TypedArray };
}

/** A storage type such as `torch.FloatStorage`, as GLOBAL pushes it. */
interface StorageType {
  readonly storageType: TorchDType;
}

/**
 * Reads what `torch.save` wrote. Bytes (a `Uint8Array` or `ArrayBuffer`, in every runtime) give the
 * value at once; a path (Node and Deno) gives a promise of it.
 */
export function load(source: Uint8Array | ArrayBuffer): unknown;
export function load(path: string): Promise<unknown>;
export function load(source: Uint8Array | ArrayBuffer | string): unknown {
  if (typeof source === "string") return readBytes(source).then((bytes) => loadBytes(bytes, source));
  if (source instanceof ArrayBuffer) return loadBytes(new Uint8Array(source), "data");
  // a plain view, also of a Node Buffer (whose slice() does not copy)
  if (source instanceof Uint8Array)
    return loadBytes(new Uint8Array(source.buffer, source.byteOffset, source.byteLength), "data");
  throw new TypeError(
    `load: expected a Uint8Array, an ArrayBuffer or a path, got ${source === null ? "null" : typeof source}`,
  );
}

function loadBytes(bytes: Uint8Array, what: string): unknown {
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!isZip) {
    if (bytes.length >= 2 && bytes[0] === 0x80) {
      throw new Error(
        `load: ${what} is in PyTorch's legacy (pre-1.6, non-zip) format; re-save it in Python with torch.save(torch.load(path), new_path) on torch >= 1.6, which writes the zip format`,
      );
    }
    throw new Error(`load: ${what} is not a PyTorch file (no zip signature at its start)`);
  }
  let entries: Map<string, Uint8Array>;
  try {
    entries = readZip(bytes);
  } catch (error) {
    throw error instanceof ZipError ? new ZipError(`load: ${what}: ${error.message}`) : error;
  }
  const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1)
    throw new Error(
      `load: ${what} is a zip but not a PyTorch file (it needs exactly one <name>/data.pkl, found ${pickles.length})`,
    );
  const prefix = pickles[0].slice(0, -"data.pkl".length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && new TextDecoder().decode(byteorder) !== "little")
    throw new Error(`load: ${what} was written on a big-endian machine, which gradstep does not read`);

  const storages = new Map<string, StorageRef>();
  // A tensor may view its storage with stride 0 (an expanded tensor), so a small file can describe
  // a huge tensor. Copies are limited to a multiple of the file's size to keep memory linear in it.
  let budget = 8 * bytes.length + (1 << 20);

  const persistentLoad = (pid: unknown): StorageRef => {
    if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== "storage")
      throw new Error(`load: ${what}: a persistent id is not ('storage', type, key, location, numel)`);
    const [, type, key, , numel] = pid as [string, StorageType, unknown, unknown, unknown];
    if (type === null || typeof type !== "object" || !("storageType" in type))
      throw new Error(`load: ${what}: a storage has no known storage type`);
    if (typeof key !== "string" || !Number.isSafeInteger(numel) || (numel as number) < 0)
      throw new Error(`load: ${what}: a storage has a malformed key or size`);
    const known = storages.get(key);
    if (known) {
      if (known.type !== type.storageType || known.numel !== numel)
        throw new Error(`load: ${what}: storage '${key}' is described twice differently`);
      return known;
    }
    if (!entries.has(`${prefix}data/${key}`))
      throw new Error(`load: ${what}: storage '${key}' is missing from the archive`);
    const ref: StorageRef = { key, type: type.storageType, numel: numel as number };
    storages.set(key, ref);
    return ref;
  };

  const rebuildTensor = (
    storage: unknown,
    offset: unknown,
    size: unknown,
    stride: unknown,
    requiresGrad: unknown,
  ): Tensor => {
    const ref = storage as StorageRef;
    if (!storages.has(ref?.key) || storages.get(ref.key) !== ref)
      throw new Error(`load: ${what}: a tensor is rebuilt from something that is not a storage`);
    const dims = checkInts(size, "size");
    const steps = checkInts(stride, "stride");
    if (dims.length !== steps.length)
      throw new Error(`load: ${what}: a tensor has ${dims.length} sizes but ${steps.length} strides`);
    if (!Number.isSafeInteger(offset) || (offset as number) < 0)
      throw new Error(`load: ${what}: a tensor has a bad storage offset ${String(offset)}`);
    const n = numelOf(dims);
    if (n > 0) {
      const last = dims.reduce((at, d, i) => at + (d - 1) * steps[i], offset as number);
      if (last >= ref.numel) {
        throw new RangeError(
          `load: ${what}: storage '${ref.key}' holds ${ref.numel} elements, but a tensor of size [${dims}] with stride [${steps}] at offset ${offset} reads element ${last}`,
        );
      }
    }
    budget -= n;
    if (budget < 0)
      throw new RangeError(
        `load: ${what}: its tensors expand to far more elements than the file holds (stride-0 views), which load refuses`,
      );
    ref.decoded ??= toGradstep(
      ref.type,
      entries.get(`${prefix}data/${ref.key}`)!,
      ref.numel,
      `storage '${ref.key}' of ${what}`,
    );
    const values = gather(ref.decoded.values, offset as number, dims, steps);
    const t = noGrad(() => tensor(values, { dtype: ref.decoded!.dtype }).reshape(dims));
    if (requiresGrad === true) t.requiresGrad = true;
    return t;
  };

  const checkInts = (value: unknown, name: string): number[] => {
    if (!Array.isArray(value) || value.some((v) => !Number.isSafeInteger(v) || v < 0))
      throw new Error(`load: ${what}: a tensor's ${name} is not a tuple of non-negative ints`);
    return value as number[];
  };

  const globals = new Map<string, unknown>();
  const fn = (f: PickleFunction): PickleFunction => f;
  globals.set(
    "collections.OrderedDict",
    fn((args) => {
      if (args.length !== 0) throw new Error(`load: ${what}: OrderedDict is built only empty and then filled`);
      return markAs({}, ORDERED);
    }),
  );
  globals.set(
    "torch._utils._rebuild_tensor_v2",
    fn((args) => {
      if (args.length < 6 || args.length > 7)
        throw new Error(`load: ${what}: _rebuild_tensor_v2 takes 6 or 7 arguments, got ${args.length}`);
      return rebuildTensor(args[0], args[1], args[2], args[3], args[4]);
    }),
  );
  globals.set(
    "torch._utils._rebuild_tensor",
    fn((args) => {
      if (args.length !== 4) throw new Error(`load: ${what}: _rebuild_tensor takes 4 arguments, got ${args.length}`);
      return rebuildTensor(args[0], args[1], args[2], args[3], false);
    }),
  );
  globals.set(
    "torch._utils._rebuild_parameter",
    fn((args) => {
      if (args.length !== 3 || !(args[0] instanceof Tensor))
        throw new Error(`load: ${what}: _rebuild_parameter takes a tensor, requires_grad and hooks`);
      args[0].requiresGrad = args[1] === true;
      return args[0];
    }),
  );
  for (const [name, storageType] of Object.entries(STORAGE_TYPES))
    globals.set(`torch.${name}`, { storageType } satisfies StorageType);

  return unpickle(entries.get(pickles[0])!, { globals, persistentLoad });
}

/** The elements of a strided view, densely in row-major order (an odometer over the indices). */
function gather(source: TypedArray, offset: number, size: number[], stride: number[]): TypedArray {
  const n = numelOf(size);
  const out = new (source.constructor as new (n: number) => TypedArray)(n);
  const contiguous = size.every((d, i) => d === 1 || stride[i] === numelOf(size.slice(i + 1)));
  if (contiguous) {
    out.set(source.subarray(offset, offset + n));
    return out;
  }
  const index = size.map(() => 0);
  let at = offset;
  for (let k = 0; k < n; k++) {
    out[k] = source[at];
    // advance the last index; carry into earlier ones
    for (let d = size.length - 1; d >= 0; d--) {
      index[d]++;
      at += stride[d];
      if (index[d] < size[d]) break;
      at -= stride[d] * size[d];
      index[d] = 0;
    }
  }
  return out;
}

/** Keys whose arrays PyTorch's optimizers keep as tuples. */
const TUPLE_KEYS = new Set(["betas", "etas", "step_sizes"]);

/**
 * Writes `obj` as `torch.save` does. Without a path it returns the file's bytes (every runtime);
 * with one (Node and Deno) it writes the file atomically and returns a promise.
 */
export function save(obj: unknown): Uint8Array;
export function save(obj: unknown, path: string): Promise<void>;
export function save(obj: unknown, path?: string): Uint8Array | Promise<void> {
  const bytes = saveBytes(obj);
  return path === undefined ? bytes : writeBytesAtomic(path, bytes);
}

function saveBytes(obj: unknown): Uint8Array {
  const keys = new Map<Tensor, string>();
  const storages: [string, Uint8Array][] = [];
  const pickle = Pickler.dumps(obj, {
    tupleKeys: TUPLE_KEYS,
    // a module's state dict: all tensors, and not an optimizer's per-parameter state (keyed by index)
    isOrderedDict: (record, where) => {
      const values = Object.values(record);
      return (
        values.length > 0 &&
        values.every((v) => v instanceof Tensor) &&
        !isIndex(where.slice(where.lastIndexOf(".") + 1))
      );
    },
    custom: (value, out) => {
      if (!(value instanceof Tensor)) return false;
      let key = keys.get(value);
      if (key === undefined) {
        key = String(keys.size);
        keys.set(value, key);
        storages.push([key, fileBytes(value.dtype, value.toArray())]);
      }
      const shape = [...value.shape];
      const stride = shape.map((_, i) => numelOf(shape.slice(i + 1)));
      out.global("torch._utils", "_rebuild_tensor_v2");
      out.mark();
      out.mark();
      out.string("storage");
      out.global("torch", STORAGE_FOR[value.dtype]);
      out.string(key);
      out.string("cpu");
      out.int(value.numel());
      out.byte(0x74, 0x51); // TUPLE, BINPERSID
      out.int(0);
      for (const dims of [shape, stride]) {
        out.mark();
        dims.forEach((d) => out.int(d));
        out.byte(0x74);
      }
      out.value(value.requiresGrad, "requires_grad");
      out.global("collections", "OrderedDict");
      out.byte(0x29, 0x52); // () REDUCE: no backward hooks
      out.byte(0x74, 0x52); // TUPLE, REDUCE
      return true;
    },
  });
  const name = "archive";
  return writeZip([
    [`${name}/data.pkl`, pickle],
    ...storages.map(([key, data]): [string, Uint8Array] => [`${name}/data/${key}`, data]),
    [`${name}/version`, new TextEncoder().encode("3\n")],
  ]);
}
