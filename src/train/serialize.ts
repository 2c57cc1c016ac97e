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
/** ASCII code of each 6-bit value, and the 6-bit value of each ASCII code (255: not base64). */
const ENCODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const DECODE = new Uint8Array(256).fill(255);
ENCODE.forEach((code, value) => (DECODE[code] = value));
const PAD = "=".charCodeAt(0);

/**
 * Standard base64 with padding. Both directions work on typed arrays (one table lookup per
 * character) and build the string with one TextDecoder call, so the time is proportional to the
 * bytes, at memory speed: 10M float32 parameters (40 MB) take a fraction of a second.
 */
export function bytesToBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const word = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = ENCODE[word >> 18];
    out[o++] = ENCODE[(word >> 12) & 63];
    out[o++] = ENCODE[(word >> 6) & 63];
    out[o++] = ENCODE[word & 63];
  }
  if (i < bytes.length) {
    // one or two bytes left: two or three characters, then padding to four
    const word = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
    out[o++] = ENCODE[word >> 18];
    out[o++] = ENCODE[(word >> 12) & 63];
    out[o++] = i + 1 < bytes.length ? ENCODE[(word >> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  return new TextDecoder("latin1").decode(out);
}

/** The inverse of `bytesToBase64`; anything but canonical padded base64 is a SyntaxError. */
export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new SyntaxError(`invalid base64 data: its length ${text.length} is not a multiple of 4`);
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  const codes = new TextEncoder().encode(text);
  if (codes.length !== text.length) throw new SyntaxError("invalid base64 data: it contains characters outside ASCII");
  const body = text.length - padding; // every character before the padding must be in the alphabet
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const a = DECODE[codes[i]];
    const b = DECODE[codes[i + 1]];
    const c = i + 2 < body ? DECODE[codes[i + 2]] : 0;
    const d = i + 3 < body ? DECODE[codes[i + 3]] : 0;
    if ((a | b | c | d) === 255) throw new SyntaxError(`invalid base64 data: a character near position ${i} is not base64 (or '=' before the end)`);
    const word = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[o++] = word >> 16;
    if (o < bytes.length) bytes[o++] = (word >> 8) & 255;
    if (o < bytes.length) bytes[o++] = word & 255;
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
  if (value instanceof Tensor) return value; // already decoded (a .pt checkpoint)
  if (Array.isArray(value)) return value.map((v, i) => fromJSONValue(v, `${where}[${i}]`));
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if ("__tensor__" in record) return decodeTensor(record as { __tensor__: unknown; shape: unknown; data: unknown }, where);
    if ("__number__" in record) return Number(record.__number__);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromJSONValue(v, `${where}.${k}`)]));
  }
  return value;
}
