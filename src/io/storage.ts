/**
 * PyTorch's element types as they appear in files, and the one place where each becomes a gradstep
 * dtype.
 *
 * gradstep has float32, float64, int64, int32 and bool. What a file holds is converted here:
 * * float16 and bfloat16 widen to float32 exactly (every half value is a float32 value);
 * * int64 stays int64, checked: gradstep keeps int64 in int32 storage (dtype.ts), so a value
 *   outside ±2^31 is an error naming it (labels, counts and `num_batches_tracked` fit);
 * * int16, int8, uint8 widen to int32 exactly;
 * * bool stays bool (any non-zero byte is true).
 * `fileBytes` is the way back: each gradstep dtype as the PyTorch type of the same name.
 *
 * Bytes are little-endian, as `torch.save` writes them on every common machine.
 */
import type { DType, TypedArray } from "../dtype.js";

/** The names PyTorch files use: `torch.FloatStorage` in .pt pickles, "F32" in safetensors. */
export type TorchDType =
  "float64" | "float32" | "float16" | "bfloat16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

export const ITEM_SIZE: Record<TorchDType, number> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** `torch.<Name>Storage` → element type. */
export const STORAGE_TYPES: Record<string, TorchDType> = {
  DoubleStorage: "float64",
  FloatStorage: "float32",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
};

/** The storage type `save` writes for each gradstep dtype. */
export const STORAGE_FOR: Record<DType, string> = {
  float32: "FloatStorage",
  float64: "DoubleStorage",
  int64: "LongStorage",
  int32: "IntStorage",
  bool: "BoolStorage",
};

/**
 * The elements in `bytes` (exactly `count` of type `type`) as a gradstep typed array — the
 * conversion of the module comment. `what` names the data in errors.
 */
export function toGradstep(
  type: TorchDType,
  bytes: Uint8Array,
  count: number,
  what: string,
): { dtype: DType; values: TypedArray } {
  if (bytes.length !== count * ITEM_SIZE[type]) {
    throw new RangeError(
      `${what}: ${count} ${type} elements need ${count * ITEM_SIZE[type]} bytes, the file has ${bytes.length}`,
    );
  }
  // a copy starts at offset 0 of its own buffer, so the typed arrays below are aligned
  // (copied with set, not slice: Node's Buffer.slice would return a view)
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const buffer = copy.buffer;
  switch (type) {
    case "float64":
      return { dtype: "float64", values: new Float64Array(buffer) };
    case "float32":
      return { dtype: "float32", values: new Float32Array(buffer) };
    case "float16":
      return { dtype: "float32", values: Float32Array.from(new Uint16Array(buffer), halfToFloat) };
    case "bfloat16": {
      // bfloat16 is the top half of a float32
      const out = new Uint32Array(count);
      const halves = new Uint16Array(buffer);
      for (let i = 0; i < count; i++) out[i] = halves[i] << 16;
      return { dtype: "float32", values: new Float32Array(out.buffer) };
    }
    case "int64": {
      const words = new Int32Array(buffer);
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const low = words[2 * i];
        const high = words[2 * i + 1];
        if (high !== low >> 31) {
          const value = (BigInt(high) << 32n) | BigInt(low >>> 0);
          throw new RangeError(
            `${what}: int64 element ${i} is ${value}, outside [-2^31, 2^31 - 1], the range of the int32 storage gradstep keeps int64 data in`,
          );
        }
        out[i] = low;
      }
      return { dtype: "int64", values: out };
    }
    case "int32":
      return { dtype: "int32", values: new Int32Array(buffer) };
    case "int16":
      return { dtype: "int32", values: Int32Array.from(new Int16Array(buffer)) };
    case "int8":
      return { dtype: "int32", values: Int32Array.from(new Int8Array(buffer)) };
    case "uint8":
      return { dtype: "int32", values: Int32Array.from(new Uint8Array(buffer)) };
    case "bool":
      return { dtype: "bool", values: Int32Array.from(new Uint8Array(buffer), (b) => (b !== 0 ? 1 : 0)) };
  }
}

/** IEEE half precision → number: sign, 5-bit exponent (bias 15), 10-bit fraction. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * The bytes PyTorch stores for `values` of a gradstep `dtype`: int64 widens each int32 element to 8
 * bytes (sign-extended), bool narrows to one byte; the other dtypes are their memory as it is.
 */
export function fileBytes(dtype: DType, values: TypedArray): Uint8Array {
  if (dtype === "int64") {
    const words = new Int32Array(2 * values.length);
    for (let i = 0; i < values.length; i++) [words[2 * i], words[2 * i + 1]] = [values[i], values[i] < 0 ? -1 : 0];
    return bytesOf(words);
  }
  if (dtype === "bool") return Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
  return bytesOf(values);
}

/** A typed array's bytes (little-endian machines: its memory as it is). */
export function bytesOf(values: TypedArray): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}
