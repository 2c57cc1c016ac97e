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
 * ## Which streams are valid: as zlib decides
 * PIL, and so torchvision, decompress PNG data with zlib, so this inflate accepts and rejects what
 * zlib's does: code lengths must neither over-subscribe nor leave a code incomplete (except a code
 * of a single 1-bit symbol, which RFC 1951 allows for distances), the literal/length code must
 * have an end-of-block symbol, and symbols 286, 287 and distances 30, 31 are invalid.
 *
 * ## Time and memory linear in the input and output
 * Every loop either consumes input bits or writes output, the output is capped at `maxOutput`
 * bytes, and every read is bounds-checked. Decoding tables have a bounded size however long the
 * codes are (see `HuffmanTable`), so a stream of many tiny blocks with 15-bit codes costs a bounded
 * amount of work per block, and each block costs at least a few bytes of input. Any malformed
 * stream throws `InflateError` with the reason.
 */

export class InflateError extends Error {
  override name = "InflateError";
}

/** Thrown inside the decoder when it needs bits past the end of the input; never escapes this file. */
class InputEnded extends Error {}

/** Reads DEFLATE's bit stream: least significant bit of each byte first. */
class BitReader {
  /** index of the next byte not yet moved into `bits` */
  pos: number;
  /** the input ends here (may be lowered while decoding, see `limit`) */
  end: number;
  /** up to 31 buffered bits, the next one in bit 0 */
  private bits = 0;
  private count = 0;

  constructor(
    readonly data: Uint8Array,
    start: number,
  ) {
    this.pos = start;
    this.end = data.length;
  }

  /** Bytes consumed so far; a byte counts once any of its bits was used. */
  get consumed(): number {
    return this.pos - (this.count >>> 3);
  }

  /** Buffers input until `n` bits are held or the input ends (n ≤ 24). */
  private fill(n: number): void {
    while (this.count < n && this.pos < this.end) {
      this.bits |= this.data[this.pos++] << this.count;
      this.count += 8;
    }
  }

  /** The next `n` bits (n ≤ 16) as a number, first bit lowest. */
  take(n: number): number {
    this.fill(n);
    if (this.count < n) throw new InputEnded();
    const value = this.bits & ((1 << n) - 1);
    this.bits >>>= n;
    this.count -= n;
    return value;
  }

  /** Decodes one symbol with a table from `buildTable`. */
  decode(table: HuffmanTable): number {
    const { entries, rootBits } = table;
    this.fill(rootBits);
    let entry = entries[this.bits & ((1 << rootBits) - 1)];
    let indexBits = rootBits;
    if (entry & LINK) {
      const subBits = entry & LENGTH_MASK;
      indexBits += subBits;
      this.fill(indexBits);
      entry = entries[(entry >>> SYMBOL_SHIFT) + ((this.bits >>> rootBits) & ((1 << subBits) - 1))];
    }
    const length = entry & LENGTH_MASK;
    // With fewer bits than the table looks at, the missing ones read as zeros: only a code that
    // fits in the bits actually held is a real decision.
    if (length === 0) {
      if (this.count < indexBits) throw new InputEnded();
      throw new InflateError("invalid Huffman code in compressed data");
    }
    if (length > this.count) throw new InputEnded();
    this.bits >>>= length;
    this.count -= length;
    return entry >>> SYMBOL_SHIFT;
  }

  /** Drops the bits left in the current byte and gives back whole buffered bytes to `pos`. */
  alignToByte(): void {
    this.pos -= this.count >>> 3;
    this.bits = 0;
    this.count = 0;
  }

  /** Ends the input at byte `end` (at least `consumed`): buffered bytes past it are dropped. */
  limit(end: number): void {
    end = Math.max(end, this.consumed);
    const extra = this.pos - end;
    if (extra > 0) {
      this.count -= 8 * extra;
      this.bits &= this.count === 0 ? 0 : (1 << this.count) - 1;
      this.pos = end;
    }
    this.end = Math.min(this.end, end);
  }
}

/**
 * A decoding table for a canonical Huffman code, in two levels, as zlib's inftrees.c builds them
 * (the idea, not its code).
 *
 * A one-level table indexed by the next `maxLength` input bits answers every code with one lookup,
 * but has 2^maxLength entries: 32768 for 15-bit codes, rebuilt for every dynamic block. A stream of
 * many tiny blocks would then cost 32768 writes per block of a dozen bytes. So:
 * * the root table is indexed by the next `rootBits` bits (at most 9 for literal/length codes, 6
 *   for distances, as zlib chooses): a code of up to `rootBits` bits fills every root entry whose
 *   low bits are its (bit-reversed) code, like a one-level table;
 * * a longer code's first `rootBits` bits pick a root entry that links to a subtable, stored after
 *   the root in the same array, indexed by the next `subBits` bits, where `subBits` is what the
 *   longest code with that prefix needs beyond the root.
 * The table's size is 2^rootBits plus the subtables, which a complete code keeps small (at most a
 * few hundred entries): building it costs a bounded amount of work whatever the lengths.
 *
 * Entry layout (one 32-bit number): `value << 8 | flags | bits`.
 * * A code: value = the symbol, bits = its full length (1..15), no flag.
 * * A link: value = where the subtable starts in `entries`, bits = `subBits`, flag `LINK`.
 * * 0: no code has these bits (only in an empty code and a lone 1-bit code).
 */
interface HuffmanTable {
  entries: Uint32Array;
  rootBits: number;
}

/** Root table sizes in bits (zlib's choice: most literal codes fit in 9 bits, distances in 6). */
const LITERAL_ROOT_BITS = 9;
const DISTANCE_ROOT_BITS = 6;
const CODE_LENGTH_ROOT_BITS = 7;

const LINK = 0x80;
const LENGTH_MASK = 0x1f;
const SYMBOL_SHIFT = 8;

/**
 * Builds the table for the code with these bit lengths (0 = symbol unused), as RFC 1951 §3.2.2
 * assigns codes: shorter codes first, and within one length in symbol order. Lengths that
 * over-subscribe (more codes than bit patterns) or leave the code incomplete are an error, as zlib
 * decides, with two exceptions: no code at all (decoding with it is the error), and a lone 1-bit
 * code, except in the code-length code (`loneCodeAllowed` false).
 *
 * Writes into `table.entries` when it is large enough (dynamic blocks reuse three tables, so that
 * a block costs no allocation), else into a new array.
 */
function buildTable(
  table: HuffmanTable,
  lengths: ArrayLike<number>,
  what: string,
  maxRootBits: number,
  loneCodeAllowed = true,
): HuffmanTable {
  const { countOfLength, nextCode, reversedCode, subBitsOf, subStart } = scratch;
  countOfLength.fill(0);
  let maxLength = 0;
  for (let s = 0; s < lengths.length; s++) {
    countOfLength[lengths[s]]++;
    if (lengths[s] > maxLength) maxLength = lengths[s];
  }
  countOfLength[0] = 0;
  // The first code of each length; `left` counts the bit patterns of this length still free.
  let code = 0;
  let left = 1;
  for (let len = 1; len <= 15; len++) {
    left = left * 2 - countOfLength[len];
    if (left < 0) throw new InflateError(`invalid ${what} code lengths (over-subscribed)`);
    code = (code + countOfLength[len - 1]) << 1;
    nextCode[len] = code;
  }
  if (left > 0 && maxLength > 0 && (maxLength > 1 || !loneCodeAllowed)) {
    throw new InflateError(`invalid ${what} code lengths (incomplete code)`);
  }

  const rootBits = Math.max(1, Math.min(maxLength, maxRootBits));
  const rootSize = 1 << rootBits;
  const rootMask = rootSize - 1;
  // Pass 1: every symbol's bit-reversed code, and for each root entry the longest code under it.
  if (maxLength > rootBits) subBitsOf.fill(0, 0, rootSize);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s];
    if (len === 0) continue;
    reversedCode[s] = reverseBits(nextCode[len]++, len);
    if (len > rootBits) {
      const prefix = reversedCode[s] & rootMask;
      subBitsOf[prefix] = Math.max(subBitsOf[prefix], len - rootBits);
    }
  }
  // Subtables follow the root, in root-index order.
  let size = rootSize;
  if (maxLength > rootBits) {
    for (let prefix = 0; prefix < rootSize; prefix++) {
      if (subBitsOf[prefix] === 0) continue;
      subStart[prefix] = size;
      size += 1 << subBitsOf[prefix];
    }
  }
  const entries = table.entries.length >= size ? table.entries : new Uint32Array(size);
  // A complete code writes every entry; an empty or lone-code table leaves some that must read 0.
  if (left > 0) entries.fill(0, 0, rootSize);
  if (maxLength > rootBits) {
    for (let prefix = 0; prefix < rootSize; prefix++) {
      if (subBitsOf[prefix] > 0) entries[prefix] = (subStart[prefix] << SYMBOL_SHIFT) | LINK | subBitsOf[prefix];
    }
  }
  // Pass 2: every index whose low bits are a symbol's code decodes to it.
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s];
    if (len === 0) continue;
    const entry = (s << SYMBOL_SHIFT) | len;
    const reversed = reversedCode[s];
    if (len <= rootBits) {
      for (let i = reversed; i < rootSize; i += 1 << len) entries[i] = entry;
    } else {
      const prefix = reversed & rootMask;
      const start = subStart[prefix];
      const end = start + (1 << subBitsOf[prefix]);
      for (let i = start + (reversed >>> rootBits); i < end; i += 1 << (len - rootBits)) entries[i] = entry;
    }
  }
  table.entries = entries;
  table.rootBits = rootBits;
  return table;
}

/** Working arrays of `buildTable`, shared: inflate is synchronous, so one build runs at a time. */
const scratch = {
  countOfLength: new Uint16Array(16),
  nextCode: new Uint16Array(16),
  reversedCode: new Uint16Array(288),
  subBitsOf: new Uint8Array(1 << LITERAL_ROOT_BITS),
  subStart: new Uint32Array(1 << LITERAL_ROOT_BITS),
};

/**
 * An empty table with room for `size` entries. zlib's bounds (found by exhaustive search: its
 * `enough` program) are 852 entries for literal/length codes with a 9-bit root and 592 for
 * distance codes with a 6-bit root; the code-length code fits its 7-bit root.
 */
function newTable(size: number): HuffmanTable {
  return { entries: new Uint32Array(size), rootBits: 1 };
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
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DISTANCE_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
/** The order in which a dynamic block sends the code lengths of its code-length alphabet. */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

let fixedTables: { literal: HuffmanTable; distance: HuffmanTable } | null = null;

/** The fixed codes of BTYPE 1: literal/length lengths 8, 9, 7, 8 by range; 32 distances of 5 bits. */
function getFixedTables(): { literal: HuffmanTable; distance: HuffmanTable } {
  if (fixedTables === null) {
    const literal = new Uint8Array(288);
    literal.fill(8, 0, 144);
    literal.fill(9, 144, 256);
    literal.fill(7, 256, 280);
    literal.fill(8, 280, 288);
    fixedTables = {
      literal: buildTable(newTable(0), literal, "fixed literal/length", LITERAL_ROOT_BITS),
      // 30 and 31 complete the code; decoding them is an error (`huffmanBlock` checks).
      distance: buildTable(newTable(0), new Uint8Array(32).fill(5), "fixed distance", DISTANCE_ROOT_BITS),
    };
  }
  return fixedTables;
}

/** Thrown when the output is full and the stream would write another byte; never escapes this file. */
class OutputFull extends Error {}

/**
 * Output bytes, grown on demand up to a hard cap. When the cap is reached, `onFull` runs once
 * (it may shorten the input), and the stream is decoded on until it would write one more byte.
 */
class Output {
  bytes: Uint8Array;
  length = 0;
  /** input bytes consumed when the last byte was written */
  consumedAtLastWrite = 0;

  constructor(
    readonly cap: number,
    private readonly reader: BitReader,
    private readonly onFull: () => void,
  ) {
    this.bytes = new Uint8Array(Math.min(cap, 1 << 16));
    if (cap === 0) onFull();
  }

  /** Makes room for up to `n` more bytes and returns how many fit; throws `OutputFull` if none. */
  reserve(n: number): number {
    const room = this.cap - this.length;
    if (room === 0 && n > 0) throw new OutputFull();
    n = Math.min(n, room);
    const needed = this.length + n;
    if (needed > this.bytes.length) {
      const grown = new Uint8Array(Math.min(this.cap, Math.max(needed, this.bytes.length * 2)));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    return n;
  }

  /** Records `n` bytes written; calls `onFull` when they fill the output. */
  advance(n: number): void {
    this.length += n;
    if (n > 0) this.consumedAtLastWrite = this.reader.consumed;
    if (n > 0 && this.length === this.cap) this.onFull();
  }
}

/**
 * What a zlib stream decoded as far as it could: PIL feeds zlib the image data piece by piece and
 * stops as soon as the image is complete, so the PNG decoder needs to know how the stream ended,
 * not only whether it is perfect.
 */
export interface PartialInflate {
  /** the decompressed bytes, at most `maxOutput` */
  output: Uint8Array;
  /**
   * * "checksum": the last block ended and the Adler-32 after it matched;
   * * "more output": `maxOutput` bytes were written and the stream goes on with more;
   * * "input ended": the input ran out first (in a block, or before or inside the checksum).
   */
  ending: "checksum" | "more output" | "input ended";
  /** for "input ended": whether the blocks were complete and only (part of) the checksum is missing */
  blocksComplete: boolean;
  /** input bytes used (a byte counts once any of its bits is) */
  consumed: number;
  /** input bytes used when the last output byte was written */
  consumedAtLastOutput: number;
}

export interface PartialInflateOptions {
  /**
   * Called once, when the output reaches `maxOutput`, with the number of input bytes consumed;
   * returns where the input ends from then on (the stream is decoded on, without writing, up to
   * there: zlib, given the rest of the input it already holds, checks that much more).
   */
  inputEndWhenFull?: (consumed: number) => number;
}

/**
 * Decompresses a zlib stream (header, DEFLATE blocks, Adler-32) into at most `maxOutput` bytes,
 * and says how it ended instead of treating a short or long stream as an error. Corrupt data,
 * wherever it is decoded, throws `InflateError`.
 */
export function inflateZlibPartial(
  data: Uint8Array,
  maxOutput: number,
  options: PartialInflateOptions = {},
): PartialInflate {
  const reader = new BitReader(data, 0);
  const out = new Output(maxOutput, reader, () => {
    if (options.inputEndWhenFull !== undefined) reader.limit(options.inputEndWhenFull(reader.consumed));
  });
  let blocksComplete = false;
  try {
    readZlibHeader(reader);
    inflateBlocks(reader, out);
    blocksComplete = true;
    reader.alignToByte();
    // Adler-32 is stored big-endian, unlike everything else in DEFLATE.
    const stored = ((reader.take(8) << 24) | (reader.take(8) << 16) | (reader.take(8) << 8) | reader.take(8)) >>> 0;
    const output = out.bytes.subarray(0, out.length);
    const actual = adler32(output);
    if (actual !== stored) {
      throw new InflateError(
        `zlib checksum mismatch: Adler-32 of the data is ${hex(actual)}, the stream says ${hex(stored)}`,
      );
    }
    return {
      output,
      ending: "checksum",
      blocksComplete,
      consumed: reader.consumed,
      consumedAtLastOutput: out.consumedAtLastWrite,
    };
  } catch (error) {
    const output = out.bytes.subarray(0, out.length);
    const where = { blocksComplete, consumed: reader.consumed, consumedAtLastOutput: out.consumedAtLastWrite };
    if (error instanceof OutputFull) return { output, ending: "more output", ...where };
    if (error instanceof InputEnded) return { output, ending: "input ended", ...where };
    throw error;
  }
}

/**
 * Decompresses a complete zlib stream into at most `maxOutput` bytes: a stream that is cut short,
 * or that would produce more than `maxOutput` bytes, is an error. Bytes after the checksum are
 * ignored.
 */
export function inflateZlib(data: Uint8Array, maxOutput: number): Uint8Array {
  const { output, ending, blocksComplete } = inflateZlibPartial(data, maxOutput);
  if (ending === "more output")
    throw new InflateError(`decompressed data is larger than expected (more than ${maxOutput} bytes)`);
  if (ending === "input ended") {
    throw new InflateError(
      blocksComplete
        ? "compressed data ends before its Adler-32 checksum"
        : "compressed data ends in the middle of a block",
    );
  }
  return output;
}

/** Decompresses raw DEFLATE blocks (no zlib wrapper) into at most `maxOutput` bytes. */
export function inflateRaw(data: Uint8Array, maxOutput: number): Uint8Array {
  const reader = new BitReader(data, 0);
  const out = new Output(maxOutput, reader, () => {});
  try {
    inflateBlocks(reader, out);
  } catch (error) {
    if (error instanceof OutputFull)
      throw new InflateError(`decompressed data is larger than expected (more than ${maxOutput} bytes)`);
    if (error instanceof InputEnded) throw new InflateError("compressed data ends in the middle of a block");
    throw error;
  }
  return out.bytes.subarray(0, out.length);
}

function readZlibHeader(reader: BitReader): void {
  const cmf = reader.take(8);
  const flg = reader.take(8);
  if ((cmf * 256 + flg) % 31 !== 0) throw new InflateError("corrupt zlib header (header check failed)");
  if ((cmf & 15) !== 8)
    throw new InflateError(`unsupported zlib compression method ${cmf & 15} (only 8, deflate, exists)`);
  if (cmf >>> 4 > 7) throw new InflateError(`invalid zlib window size 2^${(cmf >>> 4) + 8}`);
  // zlib stops and asks for the dictionary, which PIL never gives: the image never completes.
  if (flg & 0x20) throw new InflateError("zlib stream needs a preset dictionary, which PNG does not allow");
}

function inflateBlocks(reader: BitReader, out: Output): void {
  let dynamic: DynamicTables | null = null;
  let last = 0;
  while (!last) {
    last = reader.take(1);
    const type = reader.take(2);
    if (type === 0) storedBlock(reader, out);
    else if (type === 1) {
      const fixed = getFixedTables();
      huffmanBlock(reader, out, fixed.literal, fixed.distance);
    } else if (type === 2) {
      dynamic ??= newDynamicTables();
      readDynamicTables(reader, dynamic);
      huffmanBlock(reader, out, dynamic.literal, dynamic.distance);
    } else throw new InflateError("invalid deflate block type 3");
  }
}

function storedBlock(reader: BitReader, out: Output): void {
  reader.alignToByte();
  const length = reader.take(16);
  const check = reader.take(16);
  if ((length ^ 0xffff) !== check)
    throw new InflateError("corrupt stored block (length does not match its complement)");
  // Copy as much as both the input and the output allow, as zlib does, then stop if either ran out.
  let left = length;
  while (left > 0) {
    const available = reader.end - reader.pos;
    if (available === 0) throw new InputEnded();
    const n = out.reserve(Math.min(left, available));
    out.bytes.set(reader.data.subarray(reader.pos, reader.pos + n), out.length);
    reader.pos += n;
    left -= n;
    out.advance(n);
  }
}

/** The tables of one stream's dynamic blocks, rebuilt in place for each block. */
interface DynamicTables {
  codeLength: HuffmanTable;
  literal: HuffmanTable;
  distance: HuffmanTable;
  codeLengthLengths: Uint8Array;
  lengths: Uint8Array;
}

function newDynamicTables(): DynamicTables {
  return {
    codeLength: newTable(1 << CODE_LENGTH_ROOT_BITS),
    literal: newTable(852),
    distance: newTable(592),
    codeLengthLengths: new Uint8Array(19),
    lengths: new Uint8Array(286 + 30),
  };
}

function readDynamicTables(reader: BitReader, tables: DynamicTables): void {
  const literalCount = reader.take(5) + 257;
  const distanceCount = reader.take(5) + 1;
  const codeLengthCount = reader.take(4) + 4;
  if (literalCount > 286)
    throw new InflateError(`dynamic block declares ${literalCount} literal/length codes (at most 286)`);
  if (distanceCount > 30) throw new InflateError(`dynamic block declares ${distanceCount} distance codes (at most 30)`);
  const codeLengthLengths = tables.codeLengthLengths.fill(0);
  for (let i = 0; i < codeLengthCount; i++) codeLengthLengths[CODE_LENGTH_ORDER[i]] = reader.take(3);
  const codeLengthTable = buildTable(tables.codeLength, codeLengthLengths, "code length", CODE_LENGTH_ROOT_BITS, false);

  const lengths = tables.lengths.subarray(0, literalCount + distanceCount);
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
    if (i + repeat > lengths.length)
      throw new InflateError("dynamic block code lengths run past the declared number of codes");
    lengths.fill(value, i, i + repeat);
    i += repeat;
  }
  if (lengths[256] === 0) throw new InflateError("dynamic block has no end-of-block code");
  buildTable(tables.literal, lengths.subarray(0, literalCount), "literal/length", LITERAL_ROOT_BITS);
  buildTable(tables.distance, lengths.subarray(literalCount), "distance", DISTANCE_ROOT_BITS);
}

function huffmanBlock(reader: BitReader, out: Output, literal: HuffmanTable, distance: HuffmanTable): void {
  for (;;) {
    const symbol = reader.decode(literal);
    if (symbol < 256) {
      out.reserve(1);
      out.bytes[out.length] = symbol;
      out.advance(1);
      continue;
    }
    if (symbol === 256) return;
    const lengthIndex = symbol - 257;
    if (lengthIndex >= 29) throw new InflateError(`invalid length symbol ${symbol}`);
    const length = LENGTH_BASE[lengthIndex] + reader.take(LENGTH_EXTRA[lengthIndex]);
    const distanceSymbol = reader.decode(distance);
    if (distanceSymbol >= 30) throw new InflateError(`invalid distance symbol ${distanceSymbol}`);
    const dist = DISTANCE_BASE[distanceSymbol] + reader.take(DISTANCE_EXTRA[distanceSymbol]);
    // A match that does not fit is cut at the cap (zlib writes what fits, then stops); as in zlib,
    // a full output stops before the distance is checked.
    const n = out.reserve(length);
    if (dist > out.length)
      throw new InflateError(
        `match distance ${dist} reaches before the start of the data (${out.length} bytes so far)`,
      );
    const bytes = out.bytes;
    // Byte by byte: a match may overlap the bytes it is writing.
    let from = out.length - dist;
    let to = out.length;
    for (let k = 0; k < n; k++) bytes[to++] = bytes[from++];
    out.advance(n);
    if (n < length) throw new OutputFull();
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
