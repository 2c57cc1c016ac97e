/**
 * A dependency-free PNG decoder that returns RGB bytes exactly as PIL's
 * `Image.open(path).convert("RGB")` does, so that images read here equal those a PyTorch user reads,
 * and that accepts and rejects the same damaged files as PIL 9.4 does (torchvision's `ImageFolder`
 * loads with PIL, whose `ImageFile.LOAD_TRUNCATED_IMAGES` is False by default).
 *
 * ## The format (PNG 1.2 / ISO 15948)
 * An 8-byte signature, then chunks: a 4-byte big-endian data length, a 4-letter type, the data, and
 * a CRC-32 of type and data. Upper-case first letter = critical (must be understood), lower case =
 * ancillary (may be skipped). The chunks that matter for pixels:
 * * IHDR (first): width, height, bit depth, colour type (0 gray, 2 RGB, 3 palette, 4 gray+alpha,
 *   6 RGBA), compression 0, filter method 0, interlace 0 (none) or 1 (Adam7).
 * * PLTE: the palette, RGB triples (required for colour type 3).
 * * IDAT: the zlib stream of the pixel rows, possibly split over several chunks: concatenate them.
 * * IEND: the end.
 * Decompressed, each row of samples is preceded by a filter byte: 0 None, 1 Sub (left), 2 Up
 * (above), 3 Average (of left and above), 4 Paeth (whichever of left, above, upper-left is nearest
 * to left + above - upper-left); the row stored is the difference from that prediction, mod 256.
 * "Left" is the byte one pixel back (at least one byte back for bit depths below 8).
 * Adam7 interlacing stores 7 reduced images (passes) one after the other, each filtered on its own;
 * pass p holds the pixels at (x0 + i·dx, y0 + j·dy) with the offsets and steps in ADAM7.
 *
 * ## Conversion to RGB, as PIL 9.4 does it
 * * Alpha is dropped without compositing (RGBA → RGB, gray+alpha → gray); tRNS is ignored.
 * * Gray g becomes (g, g, g); 1-, 2- and 4-bit gray are scaled to 0..255 (×255, ×85, ×17).
 * * 16-bit RGB, RGBA and gray+alpha keep the high byte of each sample. 16-bit gray is the
 *   exception: PIL reads it as a 32-bit integer image and `convert("RGB")` clips it at 255 (so any
 *   value ≥ 255 is white). We reproduce that rather than "fix" it, so the pixels equal PyTorch's.
 * * Palette indices beyond the PLTE entries, or all of them without a PLTE, read PIL's default
 *   palette, the gray ramp (i, i, i).
 *
 * ## Damaged files: PIL's decisions
 * A user whose data set torchvision loads must be able to load it here, and a file PIL refuses is
 * refused here too. PIL reads a PNG in three steps, and so does `decodePng`:
 * 1. Open: the chunks before the first IDAT. Each must be complete with a matching CRC; IHDR
 *    (wherever it is, the last one counts) must give a valid bit depth and colour type and a
 *    filter method 0 (the compression method is not checked; any interlace method but 0 means
 *    Adam7); unknown chunks are skipped, critical or not; a few ancillary chunks too short for
 *    what PIL reads from them (tRNS, gAMA, cHRM, sRGB, pHYs, iCCP, zTXt) are an error.
 * 2. Load: the IDAT chunks' data is fed to zlib, 64 KiB or one chunk at a time, without checking
 *    their CRCs, and the rows are unfiltered as they come. Success as soon as the last row is
 *    complete, or when the zlib stream ends (with a matching Adler-32) just after a complete row:
 *    the rows not sent stay 0 (black, or palette entry 0). zlib checks only the input it has: a
 *    corrupt or missing Adler-32 in the data already fed is an error, beyond it is never read.
 *    Running out of data before that (the file ends, or another chunk type comes first, as a tEXt
 *    that splits the IDAT chunks) is an error: PIL's "image file is truncated".
 * 3. End: the chunks after the image data are read up to IEND without checking CRCs, and the file
 *    may end (or IEND be missing) anywhere in a chunk header; a chunk whose data is cut short, or
 *    an ancillary chunk too short (as in step 1), is an error.
 * Where PIL recovers silently (a CRC that does not match, a missing IEND or Adler-32, extra image
 * data, rows missing, a palette missing), `decodePng` decodes as PIL does and reports it through
 * `onWarning`. Animated PNG (acTL, fcTL, fdAT) is not supported and is refused.
 *
 * ## Safety
 * Every read is bounds-checked, the pixel count is capped (`maxPixels`) before anything large is
 * allocated, decompression stops at exactly the size the image needs, and everything takes time
 * linear in the file's size plus the image's.
 */
import type { RawImage } from "./image.js";
import { InflateError, inflateZlibPartial } from "./inflate.js";
import { checkOptions } from "../options.js";
import { crc32 } from "../crc32.js";

export class PngError extends Error {
  override name = "PngError";
}

export interface DecodePngOptions {
  /**
   * Refuse images with more pixels than this (default 178956970, twice PIL's
   * `MAX_IMAGE_PIXELS`, where PIL also refuses to open an image).
   */
  maxPixels?: number;
  /**
   * Receives a message for each defect PIL silently accepts (a CRC mismatch after the image data,
   * a missing IEND or Adler-32, rows missing, ...). Default: `console.warn`.
   */
  onWarning?: (message: string) => void;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const DEFAULT_MAX_PIXELS = 2 * 89_478_485;
/** PIL feeds the image data to zlib in reads of at most this many bytes (ImageFile.MAXBLOCK). */
const PIL_READ_SIZE = 65536;

const COLOR_TYPES: Record<number, { name: string; channels: number; depths: number[] }> = {
  0: { name: "grayscale", channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { name: "RGB", channels: 3, depths: [8, 16] },
  3: { name: "palette", channels: 1, depths: [1, 2, 4, 8] },
  4: { name: "grayscale+alpha", channels: 2, depths: [8, 16] },
  6: { name: "RGBA", channels: 4, depths: [8, 16] },
};

/** Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  /** samples per pixel */
  channels: number;
}

/** Decodes a PNG file's bytes into an RGB `RawImage` (channels = 3), as PIL's `convert("RGB")`. */
export function decodePng(bytes: Uint8Array, options: DecodePngOptions = {}): RawImage {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("decodePng expects the file's bytes as a Uint8Array");
  const { maxPixels = DEFAULT_MAX_PIXELS, onWarning = (message: string) => console.warn(`decodePng: ${message}`) } =
    checkOptions("decodePng", options, ["maxPixels", "onWarning"]);
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new PngError(
      bytes.length < 8
        ? `not a PNG file (only ${bytes.length} bytes)`
        : "not a PNG file (the PNG signature is missing)",
    );
  }
  const warnings: string[] = [];
  const opened = openPng(bytes, maxPixels, warnings);
  const { header } = opened;
  const { raw, chunksRead } = loadImageData(bytes, opened, warnings);
  const laterTransparency = readChunksAfterImage(bytes, chunksRead, header, warnings);
  const { palette } = opened;
  if (header.colorType === 3 && palette === null && (laterTransparency ?? opened.transparencyIsIndex)) {
    // convert("RGB") looks the transparent index up in a palette the image does not have.
    throw new PngError(
      "palette image with a single transparent index (tRNS) but no PLTE chunk: PIL fails to convert it to RGB",
    );
  }
  if (header.colorType !== 3 && palette !== null && !grayReadsPalette(header)) {
    throw new PngError(
      `a PLTE chunk read while IHDR said palette, then IHDR says ${COLOR_TYPES[header.colorType].name} of depth ${header.bitDepth}: PIL fails (unrecognized image mode)`,
    );
  }

  const rgb = new Uint8Array(header.width * header.height * 3);
  if (!header.interlaced) {
    unfilterAndConvert(raw, 0, header, palette, header.width, header.height, rgb, 0, 0, 1, 1);
  } else {
    let offset = 0;
    for (const [x0, y0, dx, dy] of ADAM7) {
      const passWidth = Math.ceil((header.width - x0) / dx);
      const passHeight = Math.ceil((header.height - y0) / dy);
      if (passWidth <= 0 || passHeight <= 0) continue;
      offset = unfilterAndConvert(raw, offset, header, palette, passWidth, passHeight, rgb, x0, y0, dx, dy);
    }
  }
  for (const message of warnings) onWarning(message);
  return { width: header.width, height: header.height, channels: 3, data: rgb };
}

// ---- chunks ------------------------------------------------------------------------------------

interface ChunkHead {
  /** offset of the chunk's length field */
  at: number;
  type: string;
  length: number;
  dataStart: number;
  dataEnd: number;
}

/** What step 1 (PIL's `_open`) finds before the image data. */
interface Opened {
  header: Header;
  /**
   * the PLTE data read while IHDR said palette (null: none, PIL's gray ramp). Normally the image is
   * a palette image; see `grayReadsPalette` for the files with a second IHDR.
   */
  palette: Uint8Array | null;
  /** whether the last tRNS of a palette image names one transparent index (PIL: an int) */
  transparencyIsIndex: boolean;
  /** the first IDAT chunk */
  firstIdat: ChunkHead;
}

/** The chunk header at `at`, or null if fewer than 8 bytes remain. Throws on an invalid type. */
function chunkHeadAt(bytes: Uint8Array, at: number): ChunkHead | null {
  if (at + 8 > bytes.length) return null;
  const length = readUint32(bytes, at);
  const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
  return { at, type, length, dataStart: at + 8, dataEnd: at + 8 + length };
}

/** PIL's `is_cid`: four ASCII letters, digits or underscores. */
const isChunkType = (type: string) => /^\w{4}$/.test(type);

/** A chunk's CRC as stored, or null if the file ends first. */
function storedCrc(bytes: Uint8Array, chunk: ChunkHead): number | null {
  return chunk.dataEnd + 4 <= bytes.length ? readUint32(bytes, chunk.dataEnd) : null;
}

/** Step 1: the chunks before the first IDAT, as PIL's `PngImageFile._open` reads them. */
function openPng(bytes: Uint8Array, maxPixels: number, warnings: string[]): Opened {
  let fields: Omit<Header, "channels"> | null = null;
  let badMode: string | null = null;
  let width = 0;
  let height = 0;
  let interlaced = false;
  let palette: Uint8Array | null = null;
  let transparencyIsIndex = false;
  for (let at = 8; ;) {
    const chunk = chunkHeadAt(bytes, at);
    if (chunk === null) {
      throw new PngError(
        `truncated PNG file: it ends at byte ${bytes.length} ${at >= bytes.length ? "before any image data (no IDAT chunk)" : "inside a chunk header"}`,
      );
    }
    const { type } = chunk;
    if (!isChunkType(type))
      throw new PngError(`corrupt PNG file: invalid chunk type ${JSON.stringify(type)} at byte ${at}`);
    if (type === "IDAT") {
      if (fields === null) throw new PngError(`corrupt PNG file: ${badMode ?? "no IHDR chunk before the image data"}`);
      const header = { ...fields, width, height, interlaced, channels: COLOR_TYPES[fields.colorType].channels };
      checkSize(header, maxPixels);
      if (header.colorType === 3 && palette === null) {
        warnings.push(
          "palette image without a PLTE chunk before the image data: colours read as PIL's default gray ramp",
        );
      }
      return { header, palette, transparencyIsIndex, firstIdat: chunk };
    }
    if (type === "IEND") throw new PngError("corrupt PNG file: no IDAT chunk (no image data)");
    if (chunk.dataEnd > bytes.length) {
      throw new PngError(
        `truncated PNG file: chunk ${type} at byte ${at} needs ${chunk.length + 12} bytes, only ${bytes.length - at} remain`,
      );
    }
    const data = bytes.subarray(chunk.dataStart, chunk.dataEnd);
    if (type === "IHDR") {
      // PIL takes the size from every IHDR, the mode only from a valid one, and never unsets interlacing.
      if (data.length < 13) throw new PngError(`corrupt PNG file: IHDR chunk of ${data.length} bytes, expected 13`);
      width = readUint32(data, 0);
      height = readUint32(data, 4);
      const [bitDepth, colorType, , filter, interlace] = data.subarray(8, 13);
      if (COLOR_TYPES[colorType]?.depths.includes(bitDepth))
        fields = { width, height, bitDepth, colorType, interlaced };
      else badMode = describeBadMode(bitDepth, colorType);
      if (interlace !== 0) interlaced = true;
      if (interlace > 1) warnings.push(`interlace method ${interlace} in IHDR is read as Adam7 (1), as PIL does`);
      if (filter !== 0) throw new PngError(`unsupported PNG file: filter method ${filter}`);
    } else if (type === "PLTE") {
      if (fields?.colorType === 3) palette = checkPalette(data);
    } else {
      if (type === "acTL" || type === "fcTL" || type === "fdAT")
        throw new PngError(`unsupported PNG file: animated PNG (${type} chunk at byte ${at})`);
      checkAncillary(type, data, fields?.colorType, at);
      if (type === "tRNS" && fields?.colorType === 3) transparencyIsIndex = isSingleTransparentIndex(data);
      if (type.charCodeAt(0) < 97) warnings.push(`unknown critical chunk ${type} at byte ${at} skipped, as PIL does`);
    }
    const crc = storedCrc(bytes, chunk);
    if (crc === null) throw new PngError(`truncated PNG file: it ends inside the CRC of chunk ${type} at byte ${at}`);
    if (crc !== crc32(bytes, at + 4, chunk.dataEnd))
      throw new PngError(`corrupt PNG file: CRC mismatch in chunk ${type} at byte ${at}`);
    at = chunk.dataEnd + 4;
  }
}

function describeBadMode(bitDepth: number, colorType: number): string {
  const kind = COLOR_TYPES[colorType];
  return kind === undefined
    ? `invalid colour type ${colorType}`
    : `bit depth ${bitDepth} is not allowed for ${kind.name} images (allowed: ${kind.depths.join(", ")})`;
}

function checkSize(header: Header, maxPixels: number): void {
  const { width, height } = header;
  if (width === 0 || height === 0) throw new PngError(`corrupt PNG file: invalid image size ${width}×${height}`);
  if (width * height > maxPixels) {
    throw new PngError(
      `image of ${width}×${height} pixels is larger than the limit of ${maxPixels} pixels (maxPixels)`,
    );
  }
}

/** PIL keeps any PLTE up to 256 whole entries (a partial last triple is ignored). */
function checkPalette(data: Uint8Array): Uint8Array {
  if (Math.floor(data.length / 3) > 256)
    throw new PngError(`corrupt PNG file: PLTE chunk of ${data.length} bytes (a palette has at most 256 RGB triples)`);
  return data;
}

/**
 * The ancillary chunks PIL parses and fails on when they are too short (its chunk_tRNS, chunk_gAMA,
 * ... read fields with struct and raise): the same lengths fail here.
 */
function checkAncillary(type: string, data: Uint8Array, colorType: number | undefined, at: number): void {
  const tooShort = (what: string) =>
    new PngError(`corrupt PNG file: ${type} chunk at byte ${at} of ${data.length} bytes is too short for ${what}`);
  switch (type) {
    case "tRNS":
      // PIL reads one 16-bit gray value for modes 1, L and I, three for RGB; nothing otherwise.
      if ((colorType === 0 && data.length < 2) || (colorType === 2 && data.length < 6))
        throw tooShort("its transparent colour");
      return;
    case "gAMA":
      if (data.length < 4) throw tooShort("a gamma value");
      return;
    case "cHRM":
      if (data.length % 4 !== 0)
        throw new PngError(
          `corrupt PNG file: cHRM chunk at byte ${at} of ${data.length} bytes (not whole 4-byte values)`,
        );
      return;
    case "sRGB":
      if (data.length < 1) throw tooShort("a rendering intent");
      return;
    case "pHYs":
      if (data.length < 9) throw tooShort("a pixel size");
      return;
    case "iCCP":
      if (!data.includes(0))
        throw new PngError(`corrupt PNG file: iCCP chunk at byte ${at} has no profile name terminator`);
      return;
    case "zTXt": {
      const nul = data.indexOf(0);
      if (nul >= 0 && nul + 1 < data.length && data[nul + 1] !== 0) {
        throw new PngError(`corrupt PNG file: unknown compression method ${data[nul + 1]} in zTXt chunk at byte ${at}`);
      }
      return;
    }
  }
}

/** One read PIL makes of image data: bytes [start, end) of the file, inside `chunk`. */
interface Piece {
  start: number;
  end: number;
  chunk: ChunkHead;
}

/**
 * Step 2: the image data as PIL's `load_read` hands it to zlib (reads of at most 64 KiB within each
 * IDAT chunk, CRCs skipped), decompressed as far as PIL's decoder goes. Returns the raw rows (rows
 * PIL never receives are left 0) and the chunk where reading stopped.
 */
function loadImageData(
  bytes: Uint8Array,
  opened: Opened,
  warnings: string[],
): { raw: Uint8Array; chunksRead: ChunkHead[] } {
  const { header, firstIdat } = opened;
  const { pieces, endReason } = imageDataPieces(bytes, firstIdat);
  const pieceEnds: number[] = [];
  const compressed = new Uint8Array(pieces.reduce((n, p) => n + p.end - p.start, 0));
  let total = 0;
  for (const piece of pieces) {
    compressed.set(bytes.subarray(piece.start, piece.end), total);
    total += piece.end - piece.start;
    pieceEnds.push(total);
  }
  const expectedSize = rawSize(header);
  // When the last row is complete, zlib has been given the input up to the end of the read that
  // completed it, and goes on decoding (checking) up to there.
  let fullAtPiece = -1;
  const inputEndWhenFull = (consumed: number) => {
    fullAtPiece = pieceEnds.findIndex((end) => end >= consumed);
    if (fullAtPiece < 0) fullAtPiece = pieces.length - 1;
    return pieceEnds[fullAtPiece];
  };
  let result;
  try {
    result = inflateZlibPartial(compressed, expectedSize, { inputEndWhenFull });
  } catch (error) {
    if (error instanceof InflateError) throw new PngError(`corrupt image data: ${error.message}`);
    throw error;
  }
  const { output, ending } = result;
  /** The IDAT chunks PIL read, up to the one where decoding finished (after `piece`). */
  const chunksUpTo = (piece: number) => [...new Set(pieces.slice(0, piece + 1).map((p) => p.chunk))];
  if (output.length === expectedSize) {
    if (ending === "more output")
      warnings.push("the image data holds more than the image needs; the rest is ignored, as PIL does");
    if (ending === "input ended" && pieceEnds[fullAtPiece] === total) {
      warnings.push(
        `${endReason}, after the last row: the zlib stream's end and Adler-32 checksum are missing (PIL does not need them)`,
      );
    }
    return { raw: output, chunksRead: chunksUpTo(fullAtPiece) };
  }
  const rows = completeRows(header, output.length);
  // zlib ends the image early only if it reaches the end of the stream in the same call that
  // completes a row: within the input fed when the last row was completed.
  const pieceOf = (consumed: number) => pieceEnds.findIndex((end) => end >= consumed);
  if (ending === "checksum" && rows.complete && pieceOf(result.consumed) === pieceOf(result.consumedAtLastOutput)) {
    warnings.push(
      `the image data ends after ${rows.count} of ${rows.total} rows; the rest are 0 (black), as PIL leaves them`,
    );
    const raw = new Uint8Array(expectedSize);
    raw.set(output);
    return { raw, chunksRead: chunksUpTo(pieceOf(result.consumed)) };
  }
  if (ending === "checksum") {
    const where = rows.complete ? "in a later read of the image data than its last row" : "inside a row";
    throw new PngError(
      `image data is too short: the zlib stream ends ${where} (${output.length} bytes decompressed, a ${header.width}×${header.height} image needs ${expectedSize})`,
    );
  }
  throw new PngError(`${endReason} (${output.length} of ${expectedSize} bytes of image data decompressed)`);
}

/**
 * The reads PIL makes of image data, from the first IDAT chunk on: each IDAT chunk in reads of at
 * most 64 KiB, until the file ends or a chunk of another type comes; `endReason` says which.
 */
function imageDataPieces(bytes: Uint8Array, firstIdat: ChunkHead): { pieces: Piece[]; endReason: string } {
  const pieces: Piece[] = [];
  let chunk = firstIdat;
  let at = chunk.dataStart;
  for (;;) {
    while (at === chunk.dataEnd) {
      // The chunk is used up: skip its CRC (PIL does not check it) and read the next header.
      const next = chunkHeadAt(bytes, chunk.dataEnd + 4);
      if (next === null)
        return {
          pieces,
          endReason: `truncated PNG file: it ends at byte ${bytes.length}, inside or after the last IDAT chunk`,
        };
      if (!isChunkType(next.type))
        return {
          pieces,
          endReason: `corrupt PNG file: invalid chunk type ${JSON.stringify(next.type)} at byte ${next.at}`,
        };
      if (next.type === "fdAT")
        return { pieces, endReason: `unsupported PNG file: animated PNG (fdAT chunk at byte ${next.at})` };
      if (next.type !== "IDAT" && next.type !== "DDAT") {
        return {
          pieces,
          endReason: `truncated image data: the IDAT chunks stop at a ${next.type} chunk at byte ${next.at}`,
        };
      }
      chunk = next;
      at = chunk.dataStart;
    }
    const wanted = Math.min(at + PIL_READ_SIZE, chunk.dataEnd);
    const end = Math.min(wanted, bytes.length);
    if (end > at) pieces.push({ start: at, end, chunk });
    // A read cut short by the end of the file is the last: the next one returns nothing.
    if (end < wanted)
      return {
        pieces,
        endReason: `truncated PNG file: it ends at byte ${bytes.length}, inside the IDAT chunk at byte ${chunk.at}`,
      };
    at = end;
  }
}

/**
 * Step 3: the chunks after the image, as PIL's `load_end` reads them: from the end of the chunk
 * where reading stopped up to IEND; CRCs are not checked, and a file that ends (or holds no valid
 * chunk header) is fine there, but a chunk whose data is cut short, or a malformed ancillary chunk
 * PIL parses, is an error.
 */
function readChunksAfterImage(
  bytes: Uint8Array,
  chunksRead: ChunkHead[],
  header: Header,
  warnings: string[],
): boolean | undefined {
  const badCrcs: string[] = [];
  let transparencyIsIndex: boolean | undefined;
  let colorType = header.colorType; // a later IHDR changes the mode the ancillary chunks see
  for (const chunk of chunksRead) {
    const crc = storedCrc(bytes, chunk);
    if (crc !== null && crc !== crc32(bytes, chunk.at + 4, chunk.dataEnd))
      badCrcs.push(`${chunk.type} at byte ${chunk.at}`);
  }
  const lastChunk = chunksRead[chunksRead.length - 1];
  for (let at = lastChunk.dataEnd + 4; ;) {
    const chunk = chunkHeadAt(bytes, at);
    if (chunk === null || !isChunkType(chunk.type)) {
      warnings.push(
        `no IEND chunk: the file ${chunk === null ? `ends at byte ${bytes.length}` : `holds no chunk at byte ${at}`} (PIL stops reading there)`,
      );
      break;
    }
    if (chunk.type === "IEND") {
      const crc = storedCrc(bytes, chunk);
      if (chunk.length !== 0 || crc === null)
        warnings.push(`IEND chunk at byte ${at} is ${chunk.length !== 0 ? "not empty" : "cut short"}`);
      else if (crc !== crc32(bytes, at + 4, chunk.dataEnd)) badCrcs.push(`IEND at byte ${at}`);
      break;
    }
    if (chunk.dataEnd > bytes.length) {
      throw new PngError(
        `truncated PNG file: chunk ${chunk.type} at byte ${at} needs ${chunk.length + 12} bytes, only ${bytes.length - at} remain`,
      );
    }
    const data = bytes.subarray(chunk.dataStart, chunk.dataEnd);
    if (chunk.type === "IHDR") {
      if (data.length < 13) throw new PngError(`corrupt PNG file: IHDR chunk of ${data.length} bytes, expected 13`);
      if (COLOR_TYPES[data[9]]?.depths.includes(data[8])) colorType = data[9];
      if (data[11] !== 0) throw new PngError(`unsupported PNG file: filter method ${data[11]}`);
    } else if (chunk.type !== "IDAT" && chunk.type !== "PLTE") {
      checkAncillary(chunk.type, data, colorType, at);
      if (chunk.type === "tRNS" && colorType === 3) transparencyIsIndex = isSingleTransparentIndex(data);
    }
    const crc = storedCrc(bytes, chunk);
    if (crc !== null && crc !== crc32(bytes, at + 4, chunk.dataEnd)) badCrcs.push(`${chunk.type} at byte ${at}`);
    at = chunk.dataEnd + 4;
  }
  if (badCrcs.length > 0)
    warnings.push(`CRC mismatch in chunk ${badCrcs.join(", ")} (PIL does not check CRCs from the image data on)`);
  return transparencyIsIndex;
}

/** PIL's `_simple_palette`: one fully transparent entry, all others opaque (b"^\xff*\x00\xff*$"). */
function isSingleTransparentIndex(data: Uint8Array): boolean {
  return data.indexOf(0) >= 0 && data.indexOf(0) === data.lastIndexOf(0) && data.every((b) => b === 0 || b === 255);
}

/**
 * A file whose first IHDR says palette, then a PLTE, then a second IHDR another mode: PIL gives the
 * image the palette anyway, which turns an L or LA image into a palette image (its gray values, as
 * PIL scales them, become indices) and fails for every other mode.
 */
function grayReadsPalette(header: Header): boolean {
  return (
    (header.colorType === 0 && header.bitDepth >= 2 && header.bitDepth <= 8) ||
    (header.colorType === 4 && header.bitDepth === 8)
  );
}

/** Bytes of one filtered row of `width` pixels, without its filter byte. */
function rowBytes(header: Header, width: number): number {
  return Math.ceil((width * header.channels * header.bitDepth) / 8);
}

/** The rows, [pass width, pass height] for each non-empty pass (one "pass" when not interlaced). */
function passes(header: Header): [number, number][] {
  if (!header.interlaced) return [[header.width, header.height]];
  const sizes: [number, number][] = [];
  for (const [x0, y0, dx, dy] of ADAM7) {
    const passWidth = Math.ceil((header.width - x0) / dx);
    const passHeight = Math.ceil((header.height - y0) / dy);
    if (passWidth > 0 && passHeight > 0) sizes.push([passWidth, passHeight]);
  }
  return sizes;
}

/** Decompressed size: every (pass's) row is a filter byte plus its samples. */
function rawSize(header: Header): number {
  return passes(header).reduce((size, [w, h]) => size + h * (1 + rowBytes(header, w)), 0);
}

/** How many whole rows (of all passes) the first `length` bytes hold, and whether they end on a row's end. */
function completeRows(header: Header, length: number): { count: number; total: number; complete: boolean } {
  let count = 0;
  let total = 0;
  let start = 0;
  let complete = false;
  for (const [w, h] of passes(header)) {
    const row = 1 + rowBytes(header, w);
    const inPass = Math.max(0, Math.min(h, Math.floor((length - start) / row)));
    count += inPass;
    total += h;
    if (length >= start && length <= start + h * row && (length - start) % row === 0) complete = length > 0;
    start += h * row;
  }
  return { count, total, complete };
}

// ---- filters and pixels ------------------------------------------------------------------------

/**
 * Undoes the filters of a (reduced) image of `width`×`height` pixels stored at `raw[offset...]`,
 * in place, and writes its pixels as RGB to `rgb` at columns x0 + i·dx of rows y0 + j·dy.
 * Returns the offset just past this image's rows.
 */
function unfilterAndConvert(
  raw: Uint8Array,
  offset: number,
  header: Header,
  palette: Uint8Array | null,
  width: number,
  height: number,
  rgb: Uint8Array,
  x0: number,
  y0: number,
  dx: number,
  dy: number,
): number {
  const stride = rowBytes(header, width);
  // The byte "to the left" is one whole pixel back (one byte for depths below 8).
  const left = Math.max(1, (header.channels * header.bitDepth) >> 3);
  for (let row = 0; row < height; row++) {
    const filter = raw[offset];
    const start = offset + 1;
    const above = row === 0 ? -1 : start - stride - 1; // -1: no previous row, read zeros
    unfilterRow(raw, filter, start, above, stride, left, row);
    convertRow(raw, start, header, palette, width, rgb, ((y0 + row * dy) * header.width + x0) * 3, dx * 3);
    offset = start + stride;
  }
  return offset;
}

function unfilterRow(
  raw: Uint8Array,
  filter: number,
  start: number,
  above: number,
  stride: number,
  left: number,
  row: number,
): void {
  const end = start + stride;
  switch (filter) {
    case 0: // None
      return;
    case 1: // Sub
      for (let i = start + left; i < end; i++) raw[i] = (raw[i] + raw[i - left]) & 255;
      return;
    case 2: // Up
      if (above < 0) return;
      for (let i = 0; i < stride; i++) raw[start + i] = (raw[start + i] + raw[above + i]) & 255;
      return;
    case 3: // Average
      for (let i = 0; i < stride; i++) {
        const a = i >= left ? raw[start + i - left] : 0;
        const b = above < 0 ? 0 : raw[above + i];
        raw[start + i] = (raw[start + i] + ((a + b) >>> 1)) & 255;
      }
      return;
    case 4: // Paeth
      for (let i = 0; i < stride; i++) {
        const a = i >= left ? raw[start + i - left] : 0;
        const b = above < 0 ? 0 : raw[above + i];
        const c = i >= left && above >= 0 ? raw[above + i - left] : 0;
        raw[start + i] = (raw[start + i] + paeth(a, b, c)) & 255;
      }
      return;
    default:
      throw new PngError(`corrupt image data: unknown filter type ${filter} on row ${row}`);
  }
}

/** The Paeth predictor: of left, above and upper-left, the one closest to left + above - upper-left. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  if (pb <= pc) return b;
  return c;
}

/** Writes one unfiltered row's `width` pixels as RGB to rgb[at], rgb[at + step], ... */
function convertRow(
  raw: Uint8Array,
  start: number,
  header: Header,
  palette: Uint8Array | null,
  width: number,
  rgb: Uint8Array,
  at: number,
  step: number,
): void {
  const { bitDepth, colorType } = header;
  if (bitDepth < 8) {
    // Gray or palette, several pixels per byte, first pixel in the high bits.
    const mask = (1 << bitDepth) - 1;
    const scale = 255 / mask; // 255, 85, 17 (PIL's "1", "L;2", "L;4" unpackers)
    for (let x = 0; x < width; x++, at += step) {
      const bit = x * bitDepth;
      const value = (raw[start + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & mask;
      if (colorType === 3) writePaletteColor(palette, value, rgb, at);
      else if (palette !== null)
        writePaletteColor(palette, value * scale, rgb, at); // see `grayReadsPalette`
      else rgb[at] = rgb[at + 1] = rgb[at + 2] = value * scale;
    }
    return;
  }
  const bytesPerSample = bitDepth >> 3; // 1 or 2; with 2 the high byte comes first
  const pixelBytes = header.channels * bytesPerSample;
  let i = start;
  for (let x = 0; x < width; x++, at += step, i += pixelBytes) {
    switch (colorType) {
      case 0:
      case 4:
        // 16-bit gray: PIL's "I" image clipped to 255 by convert("RGB").
        if (colorType === 0 && bytesPerSample === 2)
          rgb[at] = rgb[at + 1] = rgb[at + 2] = Math.min(255, (raw[i] << 8) | raw[i + 1]);
        else if (palette !== null)
          writePaletteColor(palette, raw[i], rgb, at); // see `grayReadsPalette`
        else rgb[at] = rgb[at + 1] = rgb[at + 2] = raw[i];
        break;
      case 3:
        writePaletteColor(palette, raw[i], rgb, at);
        break;
      default: // 2 RGB, 6 RGBA: the first three samples, high bytes
        rgb[at] = raw[i];
        rgb[at + 1] = raw[i + bytesPerSample];
        rgb[at + 2] = raw[i + 2 * bytesPerSample];
    }
  }
}

function writePaletteColor(palette: Uint8Array | null, index: number, rgb: Uint8Array, at: number): void {
  if (palette !== null && 3 * index + 2 < palette.length) {
    rgb[at] = palette[3 * index];
    rgb[at + 1] = palette[3 * index + 1];
    rgb[at + 2] = palette[3 * index + 2];
  } else {
    rgb[at] = rgb[at + 1] = rgb[at + 2] = index; // PIL's default palette: the gray ramp
  }
}

// ---- bytes -------------------------------------------------------------------------------------

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}
