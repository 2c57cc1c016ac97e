/**
 * Element types. gradstep has five, the subset of PyTorch's that training code uses:
 * float32 (the default, as in PyTorch), float64 (for gradient checks), int64 (labels and indices,
 * as PyTorch stores them), int32 and bool (masks: what comparisons return).
 *
 * Storage: int64 and bool are kept in int32 storage on every backend, so the backends' int32
 * kernels serve all three integer types and no kernel needs a BigInt path (JSON has no BigInt
 * either). What makes them different dtypes is enforced here and in the front end (`src/ops/`):
 * * int64 is a *checked* int32-backed store: creating an int64 tensor from a value outside
 *   [-2^31, 2^31 - 1] is a RangeError naming the value (labels, indices, counts fit easily).
 *   Arithmetic on int64 tensors wraps at ±2^31 like int32, where PyTorch's would wrap at ±2^63.
 * * bool holds only 0 and 1: every conversion to bool is `x != 0` (NaN is true, as in PyTorch).
 */
export type DType = "float32" | "float64" | "int64" | "int32" | "bool";

/** The element type a backend stores and computes in: int64 and bool live in int32 storage. */
export type StorageDType = "float32" | "float64" | "int32";

export type TypedArray = Float32Array | Float64Array | Int32Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int64", "int32", "bool"];

/** The storage (and kernel) type of `dtype`. */
export function storageDType(dtype: DType): StorageDType {
  return dtype === "int64" || dtype === "bool" ? "int32" : dtype;
}

/** A fresh zeroed typed array of `length` elements for `dtype` (Int32Array for int64 and bool). */
export function allocTypedArray(dtype: DType, length: number): TypedArray {
  switch (storageDType(dtype)) {
    case "float32":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
    case "int32":
      return new Int32Array(length);
  }
}

export function assertDType(dtype: unknown): DType {
  if (typeof dtype === "string" && (DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  throw new TypeError(
    `unknown dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.map((d) => `"${d}"`).join(", ")}`,
  );
}

export function isFloating(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

/** int32 or int64 (not bool): what index tensors and class labels may be. */
export function isInteger(dtype: DType): boolean {
  return dtype === "int32" || dtype === "int64";
}

/** Position in PyTorch's promotion order bool < int32 < int64 < float32 < float64. */
const RANK: Record<DType, number> = { bool: 0, int32: 1, int64: 2, float32: 3, float64: 4 };

/**
 * PyTorch's type promotion for two tensors (`torch.promote_types`): the higher of
 * bool < int32 < int64 < float32 < float64. (A plain JS number never promotes a tensor within its
 * category, as a Python scalar never does in PyTorch; see `scalarDType`.)
 */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype a JS number takes next to a tensor of `dtype` (PyTorch's rule for Python scalars): the
 * tensor's, unless the number is of a higher category — a fraction (or NaN, ±Infinity) next to an
 * integer or bool tensor is float32 (the default dtype), an integer next to a bool tensor int64.
 */
export function scalarDType(dtype: DType, value: number): DType {
  if (isFloating(dtype)) return dtype;
  if (!Number.isInteger(value)) return "float32";
  return dtype === "bool" ? "int64" : dtype;
}

/** Rounds a JS number to what the dtype can store, e.g. `0.1` to the nearest float32. */
export function roundToDType(dtype: DType, value: number): number {
  if (dtype === "float32") return Math.fround(value);
  if (dtype === "bool") return value !== 0 ? 1 : 0; // NaN is true
  if (dtype === "int32" || dtype === "int64") return value | 0;
  return value;
}

/** `values` as a storage of `dtype` takes them in: bool keeps only 0 and 1 (x != 0). */
export function normalized(dtype: DType, values: ArrayLike<number>): ArrayLike<number> {
  return dtype === "bool" ? Array.from(values, (v) => roundToDType("bool", v)) : values;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Checks that `value` fits an integer dtype, as PyTorch does when it creates a tensor: int32 out of
 * range is PyTorch's overflow error; int64 out of ±2^31 names gradstep's int32-backed limit.
 * Fractions truncate toward zero (as `torch.tensor([1.5], dtype=torch.int32)`); NaN and ±Infinity
 * cannot be converted at all.
 */
export function checkIntegerValue(dtype: DType, value: number): void {
  if (dtype !== "int32" && dtype !== "int64") return;
  const t = Math.trunc(value);
  if (t >= INT32_MIN && t <= INT32_MAX) return;
  if (Number.isNaN(value) || !Number.isFinite(value)) {
    throw new RangeError(`value cannot be converted to type ${dtype} without overflow: ${value}`);
  }
  if (dtype === "int32") throw new RangeError(`value cannot be converted to type int32 without overflow: ${value}`);
  throw new RangeError(
    `value ${value} cannot be stored as int64: gradstep keeps int64 data in int32 storage, so int64 values must lie in [-2^31, 2^31 - 1]`,
  );
}
