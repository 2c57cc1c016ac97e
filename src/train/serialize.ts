/**
 * Turning state dicts (which hold tensors) into JSON and back, for checkpoints.
 *
 * A tensor becomes `{ "__tensor__": dtype, "shape": [...], "data": base64 }` — the raw
 * little-endian bytes of its elements (float32 for parameters and optimizer state) — so a
 * checkpoint is exact and about a third larger than the numbers themselves. Non-finite numbers,
 * which JSON cannot write (ReduceLROnPlateau's `best` starts at Infinity), become
 * `{ "__number__": "Infinity" | "-Infinity" | "NaN" }`. Everything else is written as it is.
 */
import { assertDType, type DType } from "../dtype.js";
import { tensor } from "../creation.js";
import { formatShape, numelOf } from "../shape.js";
import { Tensor } from "../tensor.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOOKUP = new Map([...ALPHABET].map((c, i) => [c, i]));

export function bytesToBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i], bytes[i + 1] ?? 0, bytes[i + 2] ?? 0];
    const word = (a << 16) | (b << 8) | c;
    out += ALPHABET[(word >> 18) & 63] + ALPHABET[(word >> 12) & 63];
    out += i + 1 < bytes.length ? ALPHABET[(word >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? ALPHABET[word & 63] : "=";
  }
  return out;
}

export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0 || /[^A-Za-z0-9+/=]/.test(text)) throw new SyntaxError("invalid base64 data");
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  for (let i = 0, o = 0; i < text.length; i += 4) {
    const word = [0, 1, 2, 3].reduce((w, k) => (w << 6) | (LOOKUP.get(text[i + k]) ?? 0), 0);
    for (const shift of [16, 8, 0]) if (o < bytes.length) bytes[o++] = (word >> shift) & 255;
  }
  return bytes;
}

/** Bytes in machine order; every platform gradstep runs on is little-endian, as the format says. */
function elementBytes(values: Float32Array | Float64Array | Int32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export function encodeTensor(t: Tensor): { __tensor__: DType; shape: number[]; data: string } {
  return { __tensor__: t.dtype, shape: [...t.shape], data: bytesToBase64(elementBytes(t.toArray())) };
}

export function decodeTensor(record: { __tensor__: unknown; shape: unknown; data: unknown }, where: string): Tensor {
  const dtype = assertDType(record.__tensor__);
  const shape = record.shape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0) || typeof record.data !== "string") {
    throw new SyntaxError(`${where}: malformed tensor record`);
  }
  const bytes = base64ToBytes(record.data);
  const width = dtype === "float64" ? 8 : 4;
  if (bytes.length !== numelOf(shape) * width) {
    throw new SyntaxError(`${where}: a ${dtype} tensor of shape ${formatShape(shape)} needs ${numelOf(shape) * width} bytes, the file has ${bytes.length}`);
  }
  const copy = bytes.slice().buffer;
  const values = dtype === "float64" ? new Float64Array(copy) : dtype === "int32" ? new Int32Array(copy) : new Float32Array(copy);
  return tensor(values, { dtype }).reshape(shape);
}

/** A JSON-ready copy of `value` with tensors and non-finite numbers encoded. */
export function toJSONValue(value: unknown): unknown {
  if (value instanceof Tensor) return encodeTensor(value);
  if (typeof value === "number" && !Number.isFinite(value)) return { __number__: String(value) };
  if (Array.isArray(value)) return value.map(toJSONValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJSONValue(v)]));
  }
  if (typeof value === "function") throw new TypeError("functions cannot be saved in a checkpoint");
  return value;
}

/** The inverse of `toJSONValue`: tensors and non-finite numbers come back. */
export function fromJSONValue(value: unknown, where = "checkpoint"): unknown {
  if (Array.isArray(value)) return value.map((v, i) => fromJSONValue(v, `${where}[${i}]`));
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if ("__tensor__" in record) return decodeTensor(record as { __tensor__: unknown; shape: unknown; data: unknown }, where);
    if ("__number__" in record) return Number(record.__number__);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromJSONValue(v, `${where}.${k}`)]));
  }
  return value;
}
