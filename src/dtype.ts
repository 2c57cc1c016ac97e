/**
 * Element types. gradstep has three, like the subset of PyTorch that training code uses:
 * float32 (the default, as in PyTorch), float64 (for gradient checks) and int32 (labels, indices).
 */
export type DType = "float32" | "float64" | "int32";

export type TypedArray = Float32Array | Float64Array | Int32Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32"];

/** A fresh zeroed typed array of `length` elements for `dtype`. */
export function allocTypedArray(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(length);
    case "float64":
      return new Float64Array(length);
    case "int32":
      return new Int32Array(length);
  }
}

export function assertDType(dtype: unknown): DType {
  if (dtype === "float32" || dtype === "float64" || dtype === "int32") return dtype;
  throw new TypeError(`unknown dtype ${JSON.stringify(dtype)}; expected "float32", "float64" or "int32"`);
}

export function isFloating(dtype: DType): boolean {
  return dtype !== "int32";
}

/**
 * PyTorch's type promotion for two tensors: int32 < float32 < float64.
 * (A plain JS number never promotes a tensor, as a Python scalar never does in PyTorch.)
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === "float64" || b === "float64") return "float64";
  if (a === "float32" || b === "float32") return "float32";
  return "int32";
}

/** Rounds a JS number to what the dtype can store, e.g. `0.1` to the nearest float32. */
export function roundToDType(dtype: DType, value: number): number {
  if (dtype === "float32") return Math.fround(value);
  if (dtype === "int32") return value | 0;
  return value;
}
