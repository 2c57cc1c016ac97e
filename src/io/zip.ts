/**
 * The zip container of PyTorch's `.pt` files: reading and writing *stored* (uncompressed) entries.
 *
 * A zip file is a list of entries, each a local header followed by its bytes, and at the end a
 * central directory (one record per entry: name, sizes, CRC-32, where its local header is) closed by
 * an "end of central directory" record (EOCD). A reader starts from the EOCD, which is found by
 * searching backwards from the end of the file because a comment of up to 65535 bytes may follow it.
 *
 *     [local header 1][data 1] … [local header n][data n] [central dir 1 … n] [zip64 EOCD + locator] [EOCD]
 *
 * `torch.save` (1.13, through miniz) writes every entry stored, pads each local header's "extra"
 * field so that data starts at a multiple of 64 bytes (so storages can be memory-mapped), and puts the
 * sizes in the central directory (its local headers say "sizes follow the data"). Files over 4 GiB
 * use the zip64 extension, whose 64-bit sizes and offsets live in extra fields and a second EOCD.
 *
 * Every size and offset read from the file is checked against the file's length, and each entry's
 * CRC-32 is verified, so a damaged file is an error rather than a wrong tensor.
 */
import { crc32 } from "../crc32.js";

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIR = 0x06054b50;
const ZIP64_END_OF_CENTRAL_DIR = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EXTRA_ID = 0x0001;
const STORED = 0;

export class ZipError extends Error {
  override name = "ZipError";
}

// ---- reading -------------------------------------------------------------------------------------

/** A little-endian reader over a byte range that throws instead of reading past the end. */
class Cursor {
  private readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number): number {
    if (this.pos < 0 || this.pos + n > this.bytes.length)
      throw new ZipError(`zip: ${this.what} runs past the end of the file (truncated?)`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  /** A 64-bit size or offset; larger than 2^53 cannot be a real offset in memory. */
  u64(): number {
    const at = this.need(8);
    const low = this.view.getUint32(at, true);
    const high = this.view.getUint32(at + 4, true);
    if (high >= 0x200000) throw new ZipError(`zip: ${this.what} has a 64-bit value too large for this file`);
    return high * 2 ** 32 + low;
  }
  take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
function decodeName(raw: Uint8Array): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new ZipError("zip: an entry name is not valid UTF-8");
  }
}

/**
 * The entries of a zip file, by name, as views into `bytes` (no copy). Throws `ZipError` for anything
 * that is not a well-formed zip of stored entries with matching CRC-32s.
 */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  const eocdAt = findEndOfCentralDirectory(bytes);
  const eocd = new Cursor(bytes, eocdAt + 4, "end of central directory");
  const disk = eocd.u16();
  const cdDisk = eocd.u16();
  eocd.u16(); // entries on this disk
  let count = eocd.u16();
  let cdSize = eocd.u32();
  let cdOffset = eocd.u32();
  if ((disk !== 0 && disk !== 0xffff) || (cdDisk !== 0 && cdDisk !== 0xffff))
    throw new ZipError("zip: multi-disk archives are not supported");

  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    ({ count, cdSize, cdOffset } = readZip64End(bytes, eocdAt));
  }
  // each central record is at least 46 bytes: a huge count in a small file is a lie, not a loop bound
  if (cdOffset + cdSize > eocdAt || count * 46 > cdSize)
    throw new ZipError("zip: the central directory does not fit in the file");

  const entries = new Map<string, Uint8Array>();
  const dir = new Cursor(bytes, cdOffset, "central directory");
  for (let i = 0; i < count; i++) {
    if (dir.u32() !== CENTRAL_HEADER) throw new ZipError(`zip: central directory record ${i} has a bad signature`);
    dir.u16(); // version made by
    dir.u16(); // version needed
    const flags = dir.u16();
    const method = dir.u16();
    dir.u32(); // time and date
    const crc = dir.u32();
    let compressedSize = dir.u32();
    let size = dir.u32();
    const nameLength = dir.u16();
    const extraLength = dir.u16();
    const commentLength = dir.u16();
    dir.u16(); // disk number
    dir.u16(); // internal attributes
    dir.u32(); // external attributes
    let localOffset = dir.u32();
    const name = decodeName(dir.take(nameLength));
    const extra = dir.take(extraLength);
    dir.take(commentLength);

    // zip64: each field that is all ones is given, in this order, by the zip64 extra field
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      const z = findExtra(extra, ZIP64_EXTRA_ID, name);
      if (size === 0xffffffff) size = z.u64();
      if (compressedSize === 0xffffffff) compressedSize = z.u64();
      if (localOffset === 0xffffffff) localOffset = z.u64();
    }
    if (flags & 1) throw new ZipError(`zip: entry '${name}' is encrypted`);
    if (method !== STORED) {
      throw new ZipError(
        `zip: entry '${name}' is compressed (method ${method}); PyTorch files store entries uncompressed, re-save it with torch.save`,
      );
    }
    if (compressedSize !== size)
      throw new ZipError(`zip: stored entry '${name}' has different sizes (${compressedSize} and ${size})`);
    if (entries.has(name)) throw new ZipError(`zip: entry '${name}' appears twice`);

    const local = new Cursor(bytes, localOffset, `local header of '${name}'`);
    if (local.u32() !== LOCAL_HEADER) throw new ZipError(`zip: entry '${name}' points at a bad local header`);
    local.take(22); // version, flags, method, time, date, crc, sizes: the central directory is authoritative
    const localNameLength = local.u16();
    const localExtraLength = local.u16();
    if (decodeName(local.take(localNameLength)) !== name)
      throw new ZipError(`zip: entry '${name}' has a different name in its local header`);
    local.take(localExtraLength);
    if (local.pos + size > cdOffset)
      throw new ZipError(`zip: the data of '${name}' runs into the central directory (truncated?)`);
    const data = local.take(size);
    if (crc32(data) !== crc) throw new ZipError(`zip: entry '${name}' is damaged (CRC-32 mismatch)`);
    entries.set(name, data);
  }
  return entries;
}

function findEndOfCentralDirectory(bytes: Uint8Array): number {
  // the EOCD is 22 bytes plus a comment of at most 65535 bytes
  const last = bytes.length - 22;
  const first = Math.max(0, last - 0xffff);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = last; at >= first; at--) {
    if (view.getUint32(at, true) === END_OF_CENTRAL_DIR && at + 22 + view.getUint16(at + 20, true) === bytes.length)
      return at;
  }
  throw new ZipError("zip: no end-of-central-directory record (not a zip file, or truncated)");
}

function readZip64End(bytes: Uint8Array, eocdAt: number): { count: number; cdSize: number; cdOffset: number } {
  const locator = new Cursor(bytes, eocdAt - 20, "zip64 locator");
  if (locator.u32() !== ZIP64_LOCATOR) throw new ZipError("zip: the archive needs zip64 but has no zip64 locator");
  locator.u32(); // disk
  const endAt = locator.u64();
  const end = new Cursor(bytes, endAt, "zip64 end of central directory");
  if (endAt > eocdAt - 20 || end.u32() !== ZIP64_END_OF_CENTRAL_DIR)
    throw new ZipError("zip: bad zip64 end of central directory");
  end.u64(); // size of this record
  end.take(12); // versions, disk numbers
  end.u64(); // entries on this disk
  const count = end.u64();
  const cdSize = end.u64();
  const cdOffset = end.u64();
  return { count, cdSize, cdOffset };
}

function findExtra(extra: Uint8Array, id: number, name: string): Cursor {
  const c = new Cursor(extra, 0, `extra field of '${name}'`);
  while (c.pos + 4 <= extra.length) {
    const tag = c.u16();
    const length = c.u16();
    if (tag === id) return new Cursor(c.take(length), 0, `zip64 field of '${name}'`);
    c.take(length);
  }
  throw new ZipError(`zip: entry '${name}' needs a zip64 extra field and has none`);
}

// ---- writing -------------------------------------------------------------------------------------

/**
 * A zip of stored entries, each entry's data starting at a multiple of `align` bytes (PyTorch uses
 * 64), padded with an extra field of tag "FB" as `torch.save` does. Archives over 4 GiB are refused:
 * gradstep writes no zip64.
 */
export function writeZip(entries: readonly [string, Uint8Array][], align = 64): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = encoder.encode(name);
    const crc = crc32(data);
    const headerEnd = offset + 30 + nameBytes.length;
    // an extra field needs 4 bytes of its own header, so pad to the next boundary at least 4 bytes on
    const padding = (align - ((headerEnd + 4) % align)) % align;
    const local = new Uint8Array(30 + nameBytes.length + 4 + padding);
    const l = new DataView(local.buffer);
    l.setUint32(0, LOCAL_HEADER, true);
    l.setUint16(4, 20, true); // version needed
    l.setUint16(6, 0x0800, true); // names are UTF-8
    l.setUint16(8, STORED, true);
    l.setUint32(14, crc, true);
    l.setUint32(18, data.length, true);
    l.setUint32(22, data.length, true);
    l.setUint16(26, nameBytes.length, true);
    l.setUint16(28, 4 + padding, true);
    local.set(nameBytes, 30);
    l.setUint16(30 + nameBytes.length, 0x4246, true); // "FB"
    l.setUint16(32 + nameBytes.length, padding, true);
    local.fill(0x5a, 34 + nameBytes.length); // "Z", as torch pads

    const record = new Uint8Array(46 + nameBytes.length);
    const c = new DataView(record.buffer);
    c.setUint32(0, CENTRAL_HEADER, true);
    c.setUint16(4, 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, 0x0800, true);
    c.setUint16(10, STORED, true);
    c.setUint32(16, crc, true);
    c.setUint32(20, data.length, true);
    c.setUint32(24, data.length, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint32(42, offset, true);
    record.set(nameBytes, 46);

    parts.push(local, data);
    central.push(record);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((n, r) => n + r.length, 0);
  if (offset + cdSize > 0xffffffff || entries.length > 0xffff)
    throw new ZipError("zip: archives over 4 GiB or 65535 entries are not supported by this writer");
  const end = new Uint8Array(22);
  const e = new DataView(end.buffer);
  e.setUint32(0, END_OF_CENTRAL_DIR, true);
  e.setUint16(8, entries.length, true);
  e.setUint16(10, entries.length, true);
  e.setUint32(12, cdSize, true);
  e.setUint32(16, offset, true);

  const out = new Uint8Array(offset + cdSize + end.length);
  let at = 0;
  for (const part of [...parts, ...central, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
