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
const PAD = "=".charCodeAt(0);
/**
 * Base64 turns every 3 bytes (24 bits) into 4 characters of 6 bits. Here the work goes 12 bits at a
 * time: PAIRS[v] holds the two ASCII characters for a 12-bit value v as one little-endian 16-bit
 * word, and VALUE_OF_PAIR the inverse (-1 for a pair that is not base64). Strings are made and read
 * with one TextDecoder/TextEncoder call, so 10M float32 parameters (40 MB) take a fraction of a
 * second each way instead of seconds of string concatenation.
 */
const PAIRS = new Uint16Array(4096);
const VALUE_OF_PAIR = new Int16Array(65536).fill(-1);
for (let v = 0; v < 4096; v++) {
  const word = ALPHABET.charCodeAt(v >> 6) | (ALPHABET.charCodeAt(v & 63) << 8);
  PAIRS[v] = word;
  VALUE_OF_PAIR[word] = v;
}
/** Little-endian machines only (as everywhere gradstep runs): a 16-bit word is [low byte, high byte]. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function bytesToBase64(bytes: Uint8Array): string {
  if (!LITTLE_ENDIAN) throw new Error("base64: gradstep needs a little-endian machine");
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const pairs = new Uint16Array(out.buffer);
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0, o = 0; i < whole; i += 3, o += 2) {
    const word = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    pairs[o] = PAIRS[word >> 12];
    pairs[o + 1] = PAIRS[word & 4095];
  }
  if (whole < bytes.length) {
    // one or two bytes left: two or three characters, then '=' padding to four
    const word = (bytes[whole] << 16) | ((bytes[whole + 1] ?? 0) << 8);
    const o = (whole / 3) * 4;
    out[o] = ALPHABET.charCodeAt(word >> 18);
    out[o + 1] = ALPHABET.charCodeAt((word >> 12) & 63);
    out[o + 2] = whole + 1 < bytes.length ? ALPHABET.charCodeAt((word >> 6) & 63) : PAD;
    out[o + 3] = PAD;
  }
  return new TextDecoder().decode(out); // ASCII is UTF-8, whose decoder has a fast path for it
}

/** The inverse of `bytesToBase64`; anything but padded base64 ('=' only at the end) is a SyntaxError. */
export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0)
    throw new SyntaxError(`invalid base64 data: its length ${text.length} is not a multiple of 4`);
  const codes = new TextEncoder().encode(text);
  if (codes.length !== text.length) throw new SyntaxError("invalid base64 data: it contains characters outside ASCII");
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  const pairs = new Uint16Array(codes.buffer, codes.byteOffset, codes.length / 2);
  // every quad but a padded last one: two 12-bit halves
  const full = padding ? text.length / 4 - 1 : text.length / 4;
  for (let q = 0, o = 0; q < full; q++, o += 3) {
    const high = VALUE_OF_PAIR[pairs[2 * q]];
    const low = VALUE_OF_PAIR[pairs[2 * q + 1]];
    if ((high | low) < 0)
      throw new SyntaxError(
        `invalid base64 data: a character near position ${4 * q} is not base64 (or '=' before the end)`,
      );
    const word = (high << 12) | low;
    bytes[o] = word >> 16;
    bytes[o + 1] = (word >> 8) & 255;
    bytes[o + 2] = word & 255;
  }
  if (padding) {
    const at = text.length - 4;
    const digit = (k: number) => ALPHABET.indexOf(text[at + k]);
    const [a, b, c] = [digit(0), digit(1), padding === 1 ? digit(2) : 0];
    if (a < 0 || b < 0 || c < 0)
      throw new SyntaxError(`invalid base64 data: a character near position ${at} is not base64`);
    const word = (a << 18) | (b << 12) | (c << 6);
    bytes[full * 3] = word >> 16;
    if (padding === 1) bytes[full * 3 + 1] = (word >> 8) & 255;
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
  const width = dtype === "float64" ? 8 : 4; // int64 and bool are stored as their int32 storage
  if (bytes.length !== numelOf(shape) * width) {
    throw new SyntaxError(
      `${where}: a ${dtype} tensor of shape ${formatShape(shape)} needs ${numelOf(shape) * width} bytes, the file has ${bytes.length}`,
    );
  }
  const copy = bytes.slice().buffer;
  const values =
    dtype === "float64" ? new Float64Array(copy) : dtype === "float32" ? new Float32Array(copy) : new Int32Array(copy);
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
    if ("__tensor__" in record)
      return decodeTensor(record as { __tensor__: unknown; shape: unknown; data: unknown }, where);
    if ("__number__" in record) return Number(record.__number__);
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fromJSONValue(v, `${where}.${k}`)]));
  }
  return value;
}
