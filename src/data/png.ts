/**
 * A dependency-free PNG decoder that returns RGB bytes exactly as PIL's
 * `Image.open(path).convert("RGB")` does, so that images read here equal those a PyTorch user reads.
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
 * * Palette indices beyond the PLTE entries read PIL's default palette, the gray ramp (i, i, i).
 *
 * ## Safety
 * Corrupt, truncated or non-PNG input throws `PngError` with the reason: every chunk's CRC is
 * checked, every read is bounds-checked, the pixel count is capped (`maxPixels`) before anything
 * large is allocated, and decompression stops at exactly the size the image needs.
 */
import type { RawImage } from "./image.js";
import { InflateError, inflateZlib } from "./inflate.js";

export class PngError extends Error {
  override name = "PngError";
}

export interface DecodePngOptions {
  /**
   * Refuse images with more pixels than this (default 178956970, twice PIL's
   * `MAX_IMAGE_PIXELS`, where PIL also refuses to open an image).
   */
  maxPixels?: number;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const DEFAULT_MAX_PIXELS = 2 * 89_478_485;

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
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new PngError(bytes.length < 8 ? `not a PNG file (only ${bytes.length} bytes)` : "not a PNG file (the PNG signature is missing)");
  }
  const { header, palette, compressed } = readChunks(bytes, maxPixels);
  const expectedSize = rawSize(header);
  let raw: Uint8Array;
  try {
    raw = inflateZlib(compressed, expectedSize);
  } catch (error) {
    if (error instanceof InflateError) throw new PngError(`corrupt image data: ${error.message}`);
    throw error;
  }
  if (raw.length < expectedSize) {
    throw new PngError(`image data is too short: ${raw.length} bytes decompressed, a ${header.width}×${header.height} image needs ${expectedSize}`);
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
  return { width: header.width, height: header.height, channels: 3, data: rgb };
}

// ---- chunks ------------------------------------------------------------------------------------

function readChunks(bytes: Uint8Array, maxPixels: number): { header: Header; palette: Uint8Array | null; compressed: Uint8Array } {
  let header: Header | null = null;
  let palette: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let pos = 8;
  for (;;) {
    if (pos + 8 > bytes.length) {
      throw new PngError(`truncated PNG file: it ends at byte ${bytes.length} ${pos === bytes.length ? "without an IEND chunk" : "inside a chunk header"}`);
    }
    const length = readUint32(bytes, pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PngError(`corrupt PNG file: invalid chunk type ${JSON.stringify(type)} at byte ${pos}`);
    if (length > 0x7fffffff) throw new PngError(`corrupt PNG file: chunk ${type} at byte ${pos} has an invalid length ${length}`);
    const dataStart = pos + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) {
      throw new PngError(`truncated PNG file: chunk ${type} at byte ${pos} needs ${length + 12} bytes, only ${bytes.length - pos} remain`);
    }
    const stored = readUint32(bytes, dataEnd);
    const actual = crc32(bytes, pos + 4, dataEnd);
    if (stored !== actual) throw new PngError(`corrupt PNG file: CRC mismatch in chunk ${type} at byte ${pos}`);
    const data = bytes.subarray(dataStart, dataEnd);

    if (header === null && type !== "IHDR") throw new PngError(`corrupt PNG file: the first chunk is ${type}, expected IHDR`);
    switch (type) {
      case "IHDR":
        if (header !== null) throw new PngError("corrupt PNG file: a second IHDR chunk");
        header = parseHeader(data, maxPixels);
        break;
      case "PLTE":
        if (data.length % 3 !== 0 || data.length === 0 || data.length > 768) {
          throw new PngError(`corrupt PNG file: PLTE chunk of ${data.length} bytes (a palette is 1 to 256 RGB triples)`);
        }
        if (idat.length > 0) throw new PngError("corrupt PNG file: PLTE chunk after image data");
        palette = data;
        break;
      case "IDAT":
        idat.push(data);
        break;
      case "IEND":
        if (idat.length === 0) throw new PngError("corrupt PNG file: no IDAT chunk (no image data)");
        if (header!.colorType === 3 && palette === null) throw new PngError("corrupt PNG file: palette image without a PLTE chunk");
        return { header: header!, palette, compressed: concat(idat) };
      default:
        // Ancillary chunks (tRNS, gAMA, tEXt, ...) do not change PIL's RGB pixels: skip them.
        if (type.charCodeAt(0) < 97) throw new PngError(`unsupported PNG file: unknown critical chunk ${type}`);
    }
    pos = dataEnd + 4;
  }
}

function parseHeader(data: Uint8Array, maxPixels: number): Header {
  if (data.length !== 13) throw new PngError(`corrupt PNG file: IHDR chunk of ${data.length} bytes, expected 13`);
  const width = readUint32(data, 0);
  const height = readUint32(data, 4);
  const [bitDepth, colorType, compression, filter, interlace] = data.subarray(8, 13);
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new PngError(`corrupt PNG file: invalid image size ${width}×${height}`);
  }
  const kind = COLOR_TYPES[colorType];
  if (kind === undefined) throw new PngError(`corrupt PNG file: invalid colour type ${colorType}`);
  if (!kind.depths.includes(bitDepth)) {
    throw new PngError(`corrupt PNG file: bit depth ${bitDepth} is not allowed for ${kind.name} images (allowed: ${kind.depths.join(", ")})`);
  }
  if (compression !== 0) throw new PngError(`unsupported PNG file: compression method ${compression}`);
  if (filter !== 0) throw new PngError(`unsupported PNG file: filter method ${filter}`);
  if (interlace > 1) throw new PngError(`unsupported PNG file: interlace method ${interlace}`);
  if (width * height > maxPixels) {
    throw new PngError(`image of ${width}×${height} pixels is larger than the limit of ${maxPixels} pixels (maxPixels)`);
  }
  return { width, height, bitDepth, colorType, interlaced: interlace === 1, channels: kind.channels };
}

/** Bytes of one filtered row of `width` pixels, without its filter byte. */
function rowBytes(header: Header, width: number): number {
  return Math.ceil((width * header.channels * header.bitDepth) / 8);
}

/** Decompressed size: every (pass's) row is a filter byte plus its samples. */
function rawSize(header: Header): number {
  if (!header.interlaced) return header.height * (1 + rowBytes(header, header.width));
  let size = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const passWidth = Math.ceil((header.width - x0) / dx);
    const passHeight = Math.ceil((header.height - y0) / dy);
    if (passWidth > 0 && passHeight > 0) size += passHeight * (1 + rowBytes(header, passWidth));
  }
  return size;
}

// ---- filters and pixels ------------------------------------------------------------------------

/**
 * Undoes the filters of a (reduced) image of `width`×`height` pixels stored at `raw[offset...]`,
 * in place, and writes its pixels as RGB to `rgb` at columns x0 + i·dx of rows y0 + j·dy.
 * Returns the offset just past this image's rows.
 */
function unfilterAndConvert(
  raw: Uint8Array, offset: number, header: Header, palette: Uint8Array | null,
  width: number, height: number, rgb: Uint8Array, x0: number, y0: number, dx: number, dy: number,
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

function unfilterRow(raw: Uint8Array, filter: number, start: number, above: number, stride: number, left: number, row: number): void {
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
  raw: Uint8Array, start: number, header: Header, palette: Uint8Array | null, width: number,
  rgb: Uint8Array, at: number, step: number,
): void {
  const { bitDepth, colorType } = header;
  if (bitDepth < 8) {
    // Gray or palette, several pixels per byte, first pixel in the high bits.
    const mask = (1 << bitDepth) - 1;
    const scale = 255 / mask; // 255, 85, 17 (PIL's "1", "L;2", "L;4" unpackers)
    for (let x = 0; x < width; x++, at += step) {
      const bit = x * bitDepth;
      const value = (raw[start + (bit >> 3)] >> (8 - bitDepth - (bit & 7))) & mask;
      if (colorType === 3) writePaletteColor(palette!, value, rgb, at);
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
        // 16-bit gray: PIL's "I" image clipped to 255 by convert("RGB").
        rgb[at] = rgb[at + 1] = rgb[at + 2] = bytesPerSample === 1 ? raw[i] : Math.min(255, (raw[i] << 8) | raw[i + 1]);
        break;
      case 4:
        rgb[at] = rgb[at + 1] = rgb[at + 2] = raw[i];
        break;
      case 3:
        writePaletteColor(palette!, raw[i], rgb, at);
        break;
      default: // 2 RGB, 6 RGBA: the first three samples, high bytes
        rgb[at] = raw[i];
        rgb[at + 1] = raw[i + bytesPerSample];
        rgb[at + 2] = raw[i + 2 * bytesPerSample];
    }
  }
}

function writePaletteColor(palette: Uint8Array, index: number, rgb: Uint8Array, at: number): void {
  if (3 * index < palette.length) {
    rgb[at] = palette[3 * index];
    rgb[at + 1] = palette[3 * index + 1];
    rgb[at + 2] = palette[3 * index + 2];
  } else {
    rgb[at] = rgb[at + 1] = rgb[at + 2] = index; // PIL's default palette entry
  }
}

// ---- bytes -------------------------------------------------------------------------------------

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected) of bytes[start..end), as PNG chunks use. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = crcTable[(crc ^ bytes[i]) & 255] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
