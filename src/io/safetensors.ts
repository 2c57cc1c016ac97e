/**
 * safetensors (Hugging Face's tensor file format), both ways.
 *
 *     [8 bytes: N, little-endian u64] [N bytes: JSON header, may end in spaces] [data buffer]
 *
 * The header maps each tensor's name to `{ "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }`
 * (byte offsets into the data buffer) and may hold `"__metadata__": { string: string }`. The format
 * asks that tensors tile the buffer exactly: sorted by offset, each starts where the previous one
 * ended, the last ends at the end of the file. Anything else (overlaps, gaps, offsets out of range,
 * a size that does not match dtype × shape, a header over 100 MB) is an error here.
 *
 * dtypes become gradstep dtypes as in storage.ts (F16/BF16 → float32, I64 → int64 checked to fit
 * its int32 storage, I16/I8/U8 → int32, BOOL → bool). `save` writes gradstep's dtypes as
 * F32/F64/I64/I32/BOOL, in the order the
 * reference implementation uses (larger elements first, then by name), the header padded with
 * spaces to a multiple of 8 bytes so the data is aligned.
 */
import { noGrad } from "../autograd.js";
import { tensor } from "../creation.js";
import { Tensor } from "../tensor.js";
import type { DType } from "../dtype.js";
import { numelOf } from "../shape.js";
import { fileBytes, ITEM_SIZE, toGradstep, type TorchDType } from "./storage.js";

/** The largest header accepted, as the reference implementation. */
export const MAX_HEADER_BYTES = 100_000_000;

const DTYPES: Record<string, TorchDType> = {
  F64: "float64",
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
  I64: "int64",
  I32: "int32",
  I16: "int16",
  I8: "int8",
  U8: "uint8",
  BOOL: "bool",
};
const NAME_FOR: Record<DType, string> = { float32: "F32", float64: "F64", int64: "I64", int32: "I32", bool: "BOOL" };

interface Entry {
  name: string;
  type: TorchDType;
  shape: number[];
  begin: number;
  end: number;
}

/** The header of a safetensors file: its entries checked against the file, and its metadata. */
function readHeader(source: Uint8Array | ArrayBuffer): {
  bytes: Uint8Array;
  entries: Entry[];
  metadata: Record<string, string>;
  dataStart: number;
} {
  if (!(source instanceof ArrayBuffer || source instanceof Uint8Array))
    throw new TypeError("safetensors.load: expected a Uint8Array or an ArrayBuffer");
  const bytes =
    source instanceof ArrayBuffer
      ? new Uint8Array(source)
      : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (bytes.length < 8)
    throw new RangeError(`safetensors: the file has ${bytes.length} bytes, fewer than the 8 of its header size`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (size > MAX_HEADER_BYTES)
    throw new RangeError(`safetensors: the header claims ${size} bytes, over the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + size > bytes.length)
    throw new RangeError(
      `safetensors: the header claims ${size} bytes, the file has ${bytes.length - 8} after the size (truncated?)`,
    );
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + size)));
  } catch (error) {
    throw new SyntaxError(`safetensors: the header is not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header))
    throw new SyntaxError("safetensors: the header is not a JSON object");

  const dataStart = 8 + size;
  const dataLength = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (
        info === null ||
        typeof info !== "object" ||
        Array.isArray(info) ||
        Object.values(info).some((v) => typeof v !== "string")
      ) {
        throw new SyntaxError("safetensors: __metadata__ must map strings to strings");
      }
      metadata = info as Record<string, string>;
      continue;
    }
    const {
      dtype,
      shape,
      data_offsets: offsets,
    } = (info ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== "string" || !(dtype in DTYPES))
      throw new TypeError(
        `safetensors: tensor '${name}' has dtype ${JSON.stringify(dtype)}; gradstep reads ${Object.keys(DTYPES).join(", ")}`,
      );
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new SyntaxError(`safetensors: tensor '${name}' has a malformed shape`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      offsets.some((o) => !Number.isSafeInteger(o) || o < 0) ||
      offsets[0] > offsets[1]
    ) {
      throw new SyntaxError(`safetensors: tensor '${name}' has malformed data_offsets`);
    }
    const type = DTYPES[dtype];
    const [begin, end] = offsets as [number, number];
    if (end > dataLength)
      throw new RangeError(
        `safetensors: tensor '${name}' ends at byte ${end} of a ${dataLength}-byte data buffer (out of range)`,
      );
    const needed = numelOf(shape) * ITEM_SIZE[type];
    if (end - begin !== needed)
      throw new RangeError(
        `safetensors: tensor '${name}' (${dtype}, shape [${shape}]) needs ${needed} bytes, its offsets span ${end - begin}`,
      );
    entries.push({ name, type, shape, begin, end });
  }
  // the tensors must tile the buffer: no overlap, no gap, nothing after the last
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at)
      throw new RangeError(
        `safetensors: tensor '${e.name}' (bytes ${e.begin}–${e.end}) overlaps the tensor before it (which ends at ${at})`,
      );
    if (e.begin > at) throw new RangeError(`safetensors: a gap of ${e.begin - at} bytes before tensor '${e.name}'`);
    at = e.end;
  }
  if (at !== dataLength) throw new RangeError(`safetensors: ${dataLength - at} bytes after the last tensor`);
  return { bytes, entries, metadata, dataStart };
}

/** The tensors of a safetensors file, by name (in the header's order). */
export function load(source: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  const { bytes, entries, dataStart } = readHeader(source);
  const out: Record<string, Tensor> = {};
  for (const e of entries) {
    const count = numelOf(e.shape);
    const { dtype, values } = toGradstep(
      e.type,
      bytes.subarray(dataStart + e.begin, dataStart + e.end),
      count,
      `safetensors tensor '${e.name}'`,
    );
    Object.defineProperty(out, e.name, {
      value: noGrad(() => tensor(values, { dtype }).reshape(e.shape)),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The `__metadata__` of a safetensors file (an empty object if it has none). */
export function metadata(source: Uint8Array | ArrayBuffer): Record<string, string> {
  return readHeader(source).metadata;
}

/** A safetensors file holding `tensors`, with optional string metadata. */
export function save(tensors: Record<string, Tensor>, meta?: Record<string, string>): Uint8Array {
  if (tensors === null || typeof tensors !== "object")
    throw new TypeError("safetensors.save: expected an object of tensors by name");
  for (const [name, t] of Object.entries(tensors))
    if (!(t instanceof Tensor)) throw new TypeError(`safetensors.save: '${name}' is not a Tensor`);
  if (meta !== undefined && Object.entries(meta).some(([, v]) => typeof v !== "string"))
    throw new TypeError("safetensors.save: metadata values must be strings");
  if ("__metadata__" in tensors) throw new TypeError("safetensors.save: '__metadata__' is reserved for the metadata");
  const width = (t: Tensor) => ITEM_SIZE[t.dtype];
  const names = Object.keys(tensors).sort(
    (a, b) => width(tensors[b]) - width(tensors[a]) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const header: Record<string, unknown> = {};
  if (meta !== undefined) header.__metadata__ = meta;
  const data: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const raw = fileBytes(t.dtype, t.toArray());
    header[name] = { dtype: NAME_FOR[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + raw.length] };
    data.push(raw);
    offset += raw.length;
  }
  let json = JSON.stringify(header);
  const encoded = new TextEncoder().encode(json);
  const padded = Math.ceil(encoded.length / 8) * 8;
  json += " ".repeat(padded - encoded.length);
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setUint32(0, padded, true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + padded;
  for (const d of data) {
    out.set(d, at);
    at += d.length;
  }
  return out;
}
