/**
 * zlib inflate (RFC 1950 around RFC 1951 DEFLATE), written out so that the PNG decoder runs
 * unchanged in Node, Deno and browsers, with no dependency and no `node:zlib`.
 *
 * ## DEFLATE in one page
 * A stream is a sequence of blocks; each starts with 3 bits: BFINAL (1 for the last block) and
 * BTYPE (0 stored, 1 fixed Huffman, 2 dynamic Huffman, 3 invalid). Bits are read from the least
 * significant bit of each byte upwards.
 * * Stored: skip to a byte boundary, then LEN and NLEN (= ~LEN) as little-endian 16-bit numbers,
 *   then LEN raw bytes.
 * * Huffman blocks decode symbols of the literal/length alphabet (0..285): 0..255 is a literal
 *   byte, 256 ends the block, 257..285 is a match length (a base plus some extra bits), followed by
 *   a symbol of the distance alphabet (0..29, again a base plus extra bits). A match copies `length`
 *   bytes starting `distance` bytes back in the output (the copy may overlap itself: that is how
 *   runs are coded).
 * * Codes are canonical: a code is given by the bit length of every symbol alone. Fixed blocks use
 *   lengths from the RFC; dynamic blocks send them, themselves Huffman-coded with a third small
 *   alphabet (0..15 literal lengths, 16 repeat the previous 3-6 times, 17/18 runs of zeros).
 * Huffman codes are stored most significant bit first, against the bit order of everything else,
 * so a decoding table is indexed by the bit-reversed code.
 *
 * zlib adds a 2-byte header (method 8, window ≤ 32K, no preset dictionary, a check so that the
 * 16-bit header is a multiple of 31) and a big-endian Adler-32 of the output after the last block.
 *
 * ## Never hang, never blow up
 * Every loop either consumes input bits or writes output, the output is capped at `maxOutput` bytes
 * (the PNG decoder passes exactly the size the image needs), and every read is bounds-checked. Any
 * malformed stream throws `InflateError` with the reason.
 */

export class InflateError extends Error {
  override name = "InflateError";
}

/** Reads DEFLATE's bit stream: least significant bit of each byte first. */
class BitReader {
  /** index of the next unread byte */
  pos: number;
  /** up to 32 buffered bits, the next one in bit 0 */
  private bits = 0;
  private count = 0;

  constructor(readonly data: Uint8Array, start: number) {
    this.pos = start;
  }

  /** The next `n` bits (n ≤ 16) as a number, first bit lowest. */
  take(n: number): number {
    while (this.count < n) {
      if (this.pos >= this.data.length) throw new InflateError("compressed data ends in the middle of a block");
      this.bits |= this.data[this.pos++] << this.count;
      this.count += 8;
    }
    const value = this.bits & ((1 << n) - 1);
    this.bits >>>= n;
    this.count -= n;
    return value;
  }

  /** Decodes one symbol with a table from `buildTable`. */
  decode(table: HuffmanTable): number {
    // Buffer as many bits as the longest code needs, or as many as remain near the end.
    while (this.count < table.maxLength && this.pos < this.data.length) {
      this.bits |= this.data[this.pos++] << this.count;
      this.count += 8;
    }
    const entry = table.entries[this.bits & ((1 << table.maxLength) - 1)];
    const length = entry & 15;
    if (length === 0) throw new InflateError("invalid Huffman code in compressed data");
    if (length > this.count) throw new InflateError("compressed data ends in the middle of a block");
    this.bits >>>= length;
    this.count -= length;
    return entry >>> 4;
  }

  /** Drops the bits left in the current byte and gives back whole buffered bytes to `pos`. */
  alignToByte(): void {
    this.pos -= this.count >>> 3;
    this.bits = 0;
    this.count = 0;
  }
}

/**
 * A decoding table for a canonical Huffman code: indexed by the next `maxLength` input bits, each
 * entry holds `symbol << 4 | codeLength` (0 where no code matches: an incomplete code).
 */
interface HuffmanTable {
  entries: Uint32Array;
  maxLength: number;
}

/**
 * Builds the table for the code with these bit lengths (0 = symbol unused), as RFC 1951 §3.2.2
 * assigns codes: shorter codes first, and within one length in symbol order. Over-subscribed
 * lengths (more codes than bit patterns) are an error; incomplete ones are allowed (a lone distance
 * code is legal) and leave empty entries that `decode` rejects.
 */
function buildTable(lengths: ArrayLike<number>, what: string): HuffmanTable {
  const countOfLength = new Uint16Array(16);
  let maxLength = 0;
  for (let s = 0; s < lengths.length; s++) {
    countOfLength[lengths[s]]++;
    if (lengths[s] > maxLength) maxLength = lengths[s];
  }
  countOfLength[0] = 0;
  // The first code of each length; more codes than patterns means the lengths are impossible.
  const nextCode = new Uint16Array(16);
  let code = 0;
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = left * 2 - countOfLength[len];
    if (left < 0) throw new InflateError(`invalid ${what} code lengths (over-subscribed)`);
    code = (code + countOfLength[len - 1]) << 1;
    nextCode[len] = code;
  }
  const size = 1 << maxLength;
  const entries = new Uint32Array(size);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s];
    if (len === 0) continue;
    const reversed = reverseBits(nextCode[len]++, len);
    // Every index whose low `len` bits are this code decodes to s.
    for (let i = reversed; i < size; i += 1 << len) entries[i] = (s << 4) | len;
  }
  return { entries, maxLength };
}

function reverseBits(code: number, length: number): number {
  let reversed = 0;
  for (let i = 0; i < length; i++) {
    reversed = (reversed << 1) | (code & 1);
    code >>>= 1;
  }
  return reversed;
}

// Length symbols 257..285 and distance symbols 0..29: base values and extra bits (RFC 1951 §3.2.5).
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DISTANCE_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order in which a dynamic block sends the code lengths of its code-length alphabet. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

let fixedTables: { literal: HuffmanTable; distance: HuffmanTable } | null = null;

/** The fixed codes of BTYPE 1: literal/length lengths 8, 9, 7, 8 by range; all distances 5 bits. */
function getFixedTables(): { literal: HuffmanTable; distance: HuffmanTable } {
  if (fixedTables === null) {
    const literal = new Uint8Array(288);
    literal.fill(8, 0, 144);
    literal.fill(9, 144, 256);
    literal.fill(7, 256, 280);
    literal.fill(8, 280, 288);
    fixedTables = { literal: buildTable(literal, "fixed literal/length"), distance: buildTable(new Uint8Array(30).fill(5), "fixed distance") };
  }
  return fixedTables;
}

/** Output bytes, grown on demand up to a hard cap. */
class Output {
  bytes: Uint8Array;
  length = 0;

  constructor(private readonly cap: number) {
    this.bytes = new Uint8Array(Math.min(cap, 1 << 16));
  }

  /** Makes room for `n` more bytes, or throws if that would pass the cap. */
  reserve(n: number): void {
    const needed = this.length + n;
    if (needed > this.cap) {
      throw new InflateError(`decompressed data is larger than expected (more than ${this.cap} bytes)`);
    }
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.min(this.cap, Math.max(needed, this.bytes.length * 2)));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
  }
}

/**
 * Decompresses a zlib stream (header, DEFLATE blocks, Adler-32) into at most `maxOutput` bytes.
 * Bytes after the checksum are ignored.
 */
export function inflateZlib(data: Uint8Array, maxOutput: number): Uint8Array {
  if (data.length < 2) throw new InflateError("compressed data is too short for a zlib header");
  const cmf = data[0];
  const flg = data[1];
  if ((cmf & 15) !== 8) throw new InflateError(`unsupported zlib compression method ${cmf & 15} (only 8, deflate, exists)`);
  if (cmf >>> 4 > 7) throw new InflateError(`invalid zlib window size 2^${(cmf >>> 4) + 8}`);
  if ((cmf * 256 + flg) % 31 !== 0) throw new InflateError("corrupt zlib header (header check failed)");
  if (flg & 0x20) throw new InflateError("zlib stream needs a preset dictionary, which PNG does not allow");
  const reader = new BitReader(data, 2);
  const output = inflateBlocks(reader, maxOutput);
  reader.alignToByte();
  if (reader.pos + 4 > data.length) throw new InflateError("compressed data ends before its Adler-32 checksum");
  const expected = ((data[reader.pos] << 24) | (data[reader.pos + 1] << 16) | (data[reader.pos + 2] << 8) | data[reader.pos + 3]) >>> 0;
  const actual = adler32(output);
  if (actual !== expected) {
    throw new InflateError(`zlib checksum mismatch: Adler-32 of the data is ${hex(actual)}, the stream says ${hex(expected)}`);
  }
  return output;
}

/** Decompresses raw DEFLATE blocks (no zlib wrapper) into at most `maxOutput` bytes. */
export function inflateRaw(data: Uint8Array, maxOutput: number): Uint8Array {
  return inflateBlocks(new BitReader(data, 0), maxOutput);
}

function inflateBlocks(reader: BitReader, maxOutput: number): Uint8Array {
  const out = new Output(maxOutput);
  let last = 0;
  while (!last) {
    last = reader.take(1);
    const type = reader.take(2);
    if (type === 0) storedBlock(reader, out);
    else if (type === 1) {
      const fixed = getFixedTables();
      huffmanBlock(reader, out, fixed.literal, fixed.distance);
    } else if (type === 2) {
      const dynamic = readDynamicTables(reader);
      huffmanBlock(reader, out, dynamic.literal, dynamic.distance);
    } else throw new InflateError("invalid deflate block type 3");
  }
  return out.bytes.subarray(0, out.length);
}

function storedBlock(reader: BitReader, out: Output): void {
  reader.alignToByte();
  const data = reader.data;
  const at = reader.pos;
  if (at + 4 > data.length) throw new InflateError("compressed data ends in a stored block header");
  const length = data[at] | (data[at + 1] << 8);
  const check = data[at + 2] | (data[at + 3] << 8);
  if ((length ^ 0xffff) !== check) throw new InflateError("corrupt stored block (length does not match its complement)");
  if (at + 4 + length > data.length) throw new InflateError("compressed data ends in the middle of a stored block");
  out.reserve(length);
  out.bytes.set(data.subarray(at + 4, at + 4 + length), out.length);
  out.length += length;
  reader.pos = at + 4 + length;
}

function readDynamicTables(reader: BitReader): { literal: HuffmanTable; distance: HuffmanTable } {
  const literalCount = reader.take(5) + 257;
  const distanceCount = reader.take(5) + 1;
  const codeLengthCount = reader.take(4) + 4;
  if (literalCount > 286) throw new InflateError(`dynamic block declares ${literalCount} literal/length codes (at most 286)`);
  if (distanceCount > 30) throw new InflateError(`dynamic block declares ${distanceCount} distance codes (at most 30)`);
  const codeLengthLengths = new Uint8Array(19);
  for (let i = 0; i < codeLengthCount; i++) codeLengthLengths[CODE_LENGTH_ORDER[i]] = reader.take(3);
  const codeLengthTable = buildTable(codeLengthLengths, "code length");

  const lengths = new Uint8Array(literalCount + distanceCount);
  let i = 0;
  while (i < lengths.length) {
    const symbol = reader.decode(codeLengthTable);
    if (symbol < 16) {
      lengths[i++] = symbol;
      continue;
    }
    let value = 0;
    let repeat: number;
    if (symbol === 16) {
      if (i === 0) throw new InflateError("dynamic block repeats a code length before giving one");
      value = lengths[i - 1];
      repeat = 3 + reader.take(2);
    } else if (symbol === 17) repeat = 3 + reader.take(3);
    else repeat = 11 + reader.take(7);
    if (i + repeat > lengths.length) throw new InflateError("dynamic block code lengths run past the declared number of codes");
    lengths.fill(value, i, i + repeat);
    i += repeat;
  }
  if (lengths[256] === 0) throw new InflateError("dynamic block has no end-of-block code");
  return {
    literal: buildTable(lengths.subarray(0, literalCount), "literal/length"),
    distance: buildTable(lengths.subarray(literalCount), "distance"),
  };
}

function huffmanBlock(reader: BitReader, out: Output, literal: HuffmanTable, distance: HuffmanTable): void {
  for (;;) {
    const symbol = reader.decode(literal);
    if (symbol < 256) {
      out.reserve(1);
      out.bytes[out.length++] = symbol;
      continue;
    }
    if (symbol === 256) return;
    const lengthIndex = symbol - 257;
    if (lengthIndex >= 29) throw new InflateError(`invalid length symbol ${symbol}`);
    const length = LENGTH_BASE[lengthIndex] + reader.take(LENGTH_EXTRA[lengthIndex]);
    const distanceSymbol = reader.decode(distance);
    if (distanceSymbol >= 30) throw new InflateError(`invalid distance symbol ${distanceSymbol}`);
    const dist = DISTANCE_BASE[distanceSymbol] + reader.take(DISTANCE_EXTRA[distanceSymbol]);
    if (dist > out.length) throw new InflateError(`match distance ${dist} reaches before the start of the data (${out.length} bytes so far)`);
    out.reserve(length);
    const bytes = out.bytes;
    // Byte by byte: a match may overlap the bytes it is writing.
    let from = out.length - dist;
    let to = out.length;
    for (let k = 0; k < length; k++) bytes[to++] = bytes[from++];
    out.length = to;
  }
}

/** Adler-32 (RFC 1950): two sums mod 65521, reduced every 5552 bytes so they stay exact. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let start = 0; start < bytes.length; start += 5552) {
    const end = Math.min(start + 5552, bytes.length);
    for (let i = start; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
