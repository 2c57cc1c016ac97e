/**
 * A valid PNG built to make a naive inflate slow: its image data starts with thousands of empty
 * dynamic-Huffman blocks whose codes run to 15 bits, then one stored block with the pixels.
 *
 * Each empty block is about 28 bytes: a header, code lengths 1..15 for the literal/length code
 * (end-of-block gets the 1-bit code) and for the distance code, and the end-of-block symbol. An
 * inflate that builds one-level tables (2^15 entries for 15-bit codes, twice per block) does
 * ~65536 writes per 28 bytes of input: a 3 MB file took 17 s. zlib (and so PIL) builds two-level
 * tables of a few hundred entries and takes ~0.1 s. Used by test/data/png_adversarial.test.ts
 * and bench/png.bench.ts; built here rather than committed because it is megabytes.
 */
import { crc32 } from "../../../src/crc32.js";
import { adler32 } from "../../../src/data/inflate.js";

/** Writes DEFLATE's bit stream: least significant bit of each byte first. */
class BitWriter {
  private bytes: number[] = [];
  private bits = 0;
  private count = 0;

  /** `n` bits of `value`, lowest first (block headers, extra bits). */
  write(value: number, n: number): void {
    for (let i = 0; i < n; i++) {
      this.bits |= ((value >>> i) & 1) << this.count;
      if (++this.count === 8) this.flushByte();
    }
  }

  /** A Huffman code of `length` bits, most significant bit first. */
  writeCode(code: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) this.write((code >>> i) & 1, 1);
  }

  alignToByte(): void {
    if (this.count > 0) this.flushByte();
  }

  writeBytes(bytes: Uint8Array): void {
    this.alignToByte();
    for (const b of bytes) this.bytes.push(b);
  }

  finish(): Uint8Array {
    this.alignToByte();
    return Uint8Array.from(this.bytes);
  }

  private flushByte(): void {
    this.bytes.push(this.bits);
    this.bits = 0;
    this.count = 0;
  }
}

/** Canonical codes for these lengths (RFC 1951 §3.2.2). */
function canonicalCodes(lengths: number[]): number[] {
  const count = new Array<number>(16).fill(0);
  for (const len of lengths) count[len]++;
  count[0] = 0;
  const next = new Array<number>(16).fill(0);
  for (let len = 1, code = 0; len <= 15; len++) {
    code = (code + count[len - 1]) << 1;
    next[len] = code;
  }
  return lengths.map((len) => (len === 0 ? 0 : next[len]++));
}

const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Literal/length lengths: literals 0..14 get 2..15, 15 bits (a complete code), end-of-block 1 bit. */
const LITERAL_LENGTHS = Array.from({ length: 257 }, (_, s) => (s < 13 ? s + 2 : s < 15 ? 15 : s === 256 ? 1 : 0));
/** Distance lengths 1..14, 15, 15: complete, and as long as codes get. */
const DISTANCE_LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 15];
/** Code-length code: the lengths 1..15 and 18 (a run of 11..138 zeros), all 4 bits (complete). */
const CODE_LENGTH_LENGTHS = Array.from({ length: 19 }, (_, s) => ((s >= 1 && s <= 15) || s === 18 ? 4 : 0));

function writeEmptyDynamicBlock(out: BitWriter, codeLengthCodes: number[], endOfBlockCode: number): void {
  out.write(0, 1); // not the last block
  out.write(2, 2); // dynamic Huffman
  out.write(LITERAL_LENGTHS.length - 257, 5);
  out.write(DISTANCE_LENGTHS.length - 1, 5);
  out.write(19 - 4, 4);
  for (const symbol of CODE_LENGTH_ORDER) out.write(CODE_LENGTH_LENGTHS[symbol], 3);
  const lengths = [...LITERAL_LENGTHS, ...DISTANCE_LENGTHS];
  for (let i = 0; i < lengths.length;) {
    if (lengths[i] !== 0) {
      out.writeCode(codeLengthCodes[lengths[i]], 4);
      i++;
      continue;
    }
    let run = 0;
    while (i + run < lengths.length && lengths[i + run] === 0 && run < 138) run++;
    out.writeCode(codeLengthCodes[18], 4);
    out.write(run - 11, 7); // every zero run here is at least 11 long
    i += run;
  }
  out.writeCode(endOfBlockCode, 1);
}

export interface AdversarialPng {
  bytes: Uint8Array;
  width: number;
  height: number;
  /** the RGB pixels it holds (what PIL's convert("RGB") gives) */
  rgb: Uint8Array;
  /** number of empty dynamic blocks before the pixels */
  emptyBlocks: number;
  /** the IDAT chunk's zlib stream, for timing another inflate on the same data */
  zlibStream: Uint8Array;
}

/** A PNG of about `targetBytes` bytes: an 8×8 RGB image behind ~targetBytes/28 empty blocks. */
export function adversarialPng(targetBytes = 3_000_000): AdversarialPng {
  const width = 8;
  const height = 8;
  const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + 11) & 255);
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);

  const out = new BitWriter();
  out.write(0x78, 8); // zlib header: deflate, 32K window
  out.write(0x01, 8); // (0x7801 is a multiple of 31)
  const codeLengthCodes = canonicalCodes(CODE_LENGTH_LENGTHS);
  const endOfBlockCode = canonicalCodes(LITERAL_LENGTHS)[256];
  const emptyBlocks = Math.max(1, Math.floor(targetBytes / 28));
  for (let b = 0; b < emptyBlocks; b++) writeEmptyDynamicBlock(out, codeLengthCodes, endOfBlockCode);
  out.write(1, 1); // the last block
  out.write(0, 2); // stored
  out.alignToByte();
  out.writeBytes(Uint8Array.from([raw.length & 255, raw.length >>> 8, ~raw.length & 255, (~raw.length >>> 8) & 255]));
  out.writeBytes(raw);
  const adler = adler32(raw);
  out.writeBytes(Uint8Array.from([adler >>> 24, (adler >>> 16) & 255, (adler >>> 8) & 255, adler & 255]));
  const zlibStream = out.finish();

  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const bytes = concat([
    Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlibStream),
    chunk("IEND", new Uint8Array(0)),
  ]);
  return { bytes, width, height, rgb, emptyBlocks, zlibStream };
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
