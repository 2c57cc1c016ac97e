/**
 * The PNG decoder against PIL: every file in test/golden/png/files (written by gen_png.py in every
 * colour type and bit depth, interlaced or not, with every filter and kind of DEFLATE block) must
 * decode to exactly the RGB bytes of PIL's `Image.open(path).convert("RGB")`. Then fuzzing:
 * corrupted or truncated files must throw a PngError, never hang, crash otherwise or give a
 * wrong image.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { crc32 } from "../../src/crc32.js";
import { PngError, decodePng } from "../../src/data/png.js";

const dir = new URL("../golden/png/", import.meta.url);
const fixture = JSON.parse(readFileSync(new URL("png.json", dir), "utf8")) as {
  pillow_version: string;
  cases: { file: string; note: string; width: number; height: number; sha256: string; rgb?: string }[];
};
const read = (file: string) => new Uint8Array(readFileSync(new URL(`files/${file}`, dir)));
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function firstWrongPixel(actual: Uint8Array, expected: Uint8Array, width: number): string | null {
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      const p = Math.floor(i / 3);
      return `pixel (x ${p % width}, y ${Math.floor(p / width)}) channel ${i % 3}: got ${actual[i]}, PIL ${expected[i]}`;
    }
  }
  return null;
}

describe("decodePng equals PIL's convert('RGB')", () => {
  it("fixture written by Pillow 9", () => {
    expect(fixture.pillow_version).toMatch(/^9\./);
    expect(fixture.cases.length).toBeGreaterThan(150);
  });

  it.each(fixture.cases.map((c) => [c.file, c] as const))("%s", (_, c) => {
    const image = decodePng(read(c.file));
    expect([image.width, image.height, image.channels], c.note).toEqual([c.width, c.height, 3]);
    expect(image.data.length).toBe(c.width * c.height * 3);
    if (c.rgb !== undefined)
      expect(firstWrongPixel(image.data, new Uint8Array(Buffer.from(c.rgb, "base64")), c.width), c.note).toBeNull();
    expect(sha256(image.data), c.note).toBe(c.sha256);
  });
});

// ---- building PNGs by hand for the error cases ----------------------------------------------------

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const SIGNATURE = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

function ihdr(width: number, height: number, depth = 8, colorType = 2, interlace = 0): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data.set([depth, colorType, 0, 0, interlace], 8);
  return chunk("IHDR", data);
}

/** A PNG whose IDAT holds this zlib stream (compressed with Node's zlib: fine in a test). */
function png(header: Uint8Array, zlibStream: Uint8Array, ...extra: Uint8Array[]): Uint8Array {
  return join(SIGNATURE, header, ...extra, chunk("IDAT", zlibStream), chunk("IEND", new Uint8Array(0)));
}

const { deflateSync } = await import("node:zlib");
const deflate = (bytes: Uint8Array, options: object = {}) => new Uint8Array(deflateSync(bytes, options));

/** Splits a valid PNG into its chunks: [offset, length, type]. */
function chunksOf(bytes: Uint8Array): { offset: number; length: number; type: string }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let at = 8; at < bytes.length;) {
    const length = view.getUint32(at);
    out.push({ offset: at, length, type: String.fromCharCode(...bytes.subarray(at + 4, at + 8)) });
    at += 12 + length;
  }
  return out;
}

/** Recomputes every chunk's CRC, so that corrupted data gets past the CRC check into inflate and the filters. */
function fixCrcs(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  for (let at = 8; at + 12 <= out.length;) {
    const length = view.getUint32(at);
    if (at + 12 + length > out.length) break;
    view.setUint32(at + 8 + length, crc32(out, at + 4, at + 8 + length));
    at += 12 + length;
  }
  return out;
}

function expectPngError(bytes: Uint8Array, message: RegExp): void {
  let thrown: unknown;
  try {
    decodePng(bytes, { onWarning: () => {} });
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "decodePng should throw").toBeInstanceOf(PngError);
  expect((thrown as Error).message).toMatch(message);
}

/** Decodes a file PIL accepts with a defect, returning the pixels and the warnings. */
function decodeWithWarnings(bytes: Uint8Array): { data: number[]; warnings: string[] } {
  const warnings: string[] = [];
  const image = decodePng(bytes, { onWarning: (m) => warnings.push(m) });
  return { data: Array.from(image.data), warnings };
}

describe("decodePng errors", () => {
  const pixels = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12]); // 2×2 RGB, filters 0
  const good = png(ihdr(2, 2), deflate(pixels));
  const goodRgb = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];

  it("decodes the hand-built file, without warnings", () => {
    expect(decodeWithWarnings(good)).toEqual({ data: goodRgb, warnings: [] });
  });

  it("rejects non-PNG input and unknown options", () => {
    expectPngError(new Uint8Array(0), /not a PNG file \(only 0 bytes\)/);
    expectPngError(new TextEncoder().encode("GIF89a........."), /not a PNG file \(the PNG signature is missing\)/);
    expect(() => decodePng("abc" as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => decodePng(good, { max_pixels: 3 } as object)).toThrow(
      /unexpected option 'max_pixels' \(did you mean 'maxPixels'\?/,
    );
  });

  it("checks the CRCs before the image data", () => {
    const bad = good.slice();
    bad[8 + 8 + 5] ^= 1; // a byte of IHDR's data
    expectPngError(bad, /CRC mismatch in chunk IHDR at byte 8/);
  });

  it("reports truncation before the image is complete", () => {
    expectPngError(good.subarray(0, 45), /truncated PNG file: it ends at byte 45, inside the IDAT chunk at byte 33/);
    expectPngError(good.subarray(0, 12), /truncated PNG file: it ends at byte 12 inside a chunk header/);
    expectPngError(good.subarray(0, 33), /truncated PNG file: it ends at byte 33 before any image data/);
  });

  it("as PIL, accepts a missing or cut IEND and bad CRCs from the image data on, with a warning", () => {
    const noEnd = decodeWithWarnings(good.subarray(0, good.length - 12));
    expect(noEnd.data).toEqual(goodRgb);
    expect(noEnd.warnings).toEqual([expect.stringMatching(/no IEND chunk: the file ends at byte \d+/)]);
    expect(decodeWithWarnings(good.subarray(0, good.length - 3)).warnings).toEqual([
      expect.stringMatching(/IEND chunk at byte \d+ is cut short/),
    ]);
    const badCrcs = good.slice();
    badCrcs[badCrcs.length - 1] ^= 1; // IEND's CRC
    badCrcs[badCrcs.length - 13] ^= 1; // IDAT's CRC
    const decoded = decodeWithWarnings(badCrcs);
    expect(decoded.data).toEqual(goodRgb);
    expect(decoded.warnings).toEqual([
      expect.stringMatching(/CRC mismatch in chunk IDAT at byte 33, IEND at byte \d+ \(PIL does not check/),
    ]);
  });

  it("checks the header", () => {
    expectPngError(png(ihdr(0, 2), deflate(pixels)), /invalid image size 0×2/);
    expectPngError(png(ihdr(2, 2, 4, 2), deflate(pixels)), /bit depth 4 is not allowed for RGB images/);
    expectPngError(png(ihdr(2, 2, 8, 5), deflate(pixels)), /invalid colour type 5/);
    expectPngError(png(ihdr(100_000, 100_000), deflate(pixels)), /larger than the limit of 178956970 pixels/);
    expect(() => decodePng(good, { maxPixels: 3 })).toThrow(/larger than the limit of 3 pixels/);
    expectPngError(join(SIGNATURE, chunk("IDAT", deflate(pixels)), ihdr(2, 2)), /no IHDR chunk before the image data/);
  });

  it("reads any interlace method but 0 as Adam7, as PIL does", () => {
    const adam7 = new Uint8Array([0, 1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 10, 11, 12]); // passes 1, 6 and 7 of a 2×2 image
    expect(decodeWithWarnings(png(ihdr(2, 2, 8, 2, 1), deflate(adam7)))).toEqual({ data: goodRgb, warnings: [] });
    const method2 = decodeWithWarnings(png(ihdr(2, 2, 8, 2, 2), deflate(adam7)));
    expect(method2.data).toEqual(goodRgb);
    expect(method2.warnings).toEqual(["interlace method 2 in IHDR is read as Adam7 (1), as PIL does"]);
  });

  it("needs image data; skips unknown chunks; a palette image without PLTE reads the gray ramp", () => {
    expectPngError(join(SIGNATURE, ihdr(2, 2), chunk("IEND", new Uint8Array(0))), /no IDAT chunk/);
    const gray = decodeWithWarnings(png(ihdr(2, 2, 8, 3), deflate(new Uint8Array([0, 7, 9, 0, 200, 255]))));
    expect(gray.data).toEqual([7, 7, 7, 9, 9, 9, 200, 200, 200, 255, 255, 255]);
    expect(gray.warnings).toEqual([expect.stringMatching(/palette image without a PLTE chunk/)]);
    const critical = decodeWithWarnings(png(ihdr(2, 2), deflate(pixels), chunk("ABCD", new Uint8Array(1))));
    expect(critical).toEqual({
      data: goodRgb,
      warnings: ["unknown critical chunk ABCD at byte 33 skipped, as PIL does"],
    });
    expect(decodeWithWarnings(png(ihdr(2, 2), deflate(pixels), chunk("abCD", new Uint8Array(1))))).toEqual({
      data: goodRgb,
      warnings: [],
    });
  });

  it("checks the amount of image data and the filter types", () => {
    expectPngError(
      png(ihdr(2, 2), deflate(pixels.subarray(0, 13))),
      /image data is too short: the zlib stream ends inside a row \(13 bytes decompressed, a 2×2 image needs 14\)/,
    );
    const extra = decodeWithWarnings(png(ihdr(2, 2), deflate(join(pixels, new Uint8Array(1)))));
    expect(extra).toEqual({ data: goodRgb, warnings: [expect.stringMatching(/holds more than the image needs/)] });
    const early = decodeWithWarnings(png(ihdr(2, 2), deflate(pixels.subarray(0, 7))));
    expect(early).toEqual({
      data: [1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0],
      warnings: [expect.stringMatching(/ends after 1 of 2 rows/)],
    });
    const badFilter = pixels.slice();
    badFilter[7] = 5;
    expectPngError(png(ihdr(2, 2), deflate(badFilter)), /unknown filter type 5 on row 1/);
  });

  it("checks the zlib stream as far as PIL feeds it", () => {
    const stream = deflate(pixels);
    const badAdler = stream.slice();
    badAdler[badAdler.length - 1] ^= 1;
    expectPngError(png(ihdr(2, 2), badAdler), /corrupt image data: zlib checksum mismatch/);
    // in a later IDAT chunk than the last row, the checksum is never read
    const later = join(
      SIGNATURE,
      ihdr(2, 2),
      chunk("IDAT", badAdler.subarray(0, -4)),
      chunk("IDAT", badAdler.subarray(-4)),
      chunk("IEND", new Uint8Array(0)),
    );
    expect(decodeWithWarnings(later)).toEqual({ data: goodRgb, warnings: [] });
    const noAdler = decodeWithWarnings(png(ihdr(2, 2), stream.subarray(0, stream.length - 2)));
    expect(noAdler.data).toEqual(goodRgb);
    expect(noAdler.warnings).toEqual([expect.stringMatching(/Adler-32 checksum are missing/)]);
    expectPngError(
      png(ihdr(2, 2), new Uint8Array([0x78, 0x9c, 0xff])),
      /corrupt image data: invalid deflate block type 3/,
    );
    expectPngError(png(ihdr(2, 2), new Uint8Array([0x78, 0x9d])), /corrupt zlib header/);
    // a 2-byte stored block whose length complement is wrong
    expectPngError(png(ihdr(2, 2), new Uint8Array([0x78, 0x01, 0x01, 0x02, 0x00, 0x00, 0x00])), /stored block/);
  });

  it("keeps refusing what PIL refuses: image data split by a tEXt chunk", () => {
    const stream = deflate(pixels);
    const split = join(
      SIGNATURE,
      ihdr(2, 2),
      chunk("IDAT", stream.subarray(0, 6)),
      chunk("tEXt", new TextEncoder().encode("a\0b")),
      chunk("IDAT", stream.subarray(6)),
      chunk("IEND", new Uint8Array(0)),
    );
    expectPngError(split, /truncated image data: the IDAT chunks stop at a tEXt chunk at byte \d+/);
  });
});

// ---- fuzzing ------------------------------------------------------------------------------------

const samples = fixture.cases.filter((c) => c.rgb !== undefined).map((c) => ({ ...c, bytes: read(c.file) }));

/**
 * Decodes and classifies: a PngError, or an image (anything else thrown fails the test). Which
 * files decode and to what is PIL's decision (png_pil_decisions.test.ts); here: never a crash.
 * Decode times are measured in bench/png.bench.ts.
 */
function attempt(bytes: Uint8Array): { error: PngError } | { image: ReturnType<typeof decodePng> } {
  try {
    return { image: decodePng(bytes, { onWarning: () => {}, maxPixels: 1 << 22 }) };
  } catch (error) {
    if (!(error instanceof PngError)) throw new Error(`not a PngError: ${String(error)}`, { cause: error });
    return { error };
  }
}

describe("fuzzing: corrupted PNGs", () => {
  const sample = fc.integer({ min: 0, max: samples.length - 1 }).map((i) => samples[i]);

  it("truncation is an error, or, once the image data is complete, the same image", () => {
    fc.assert(
      fc.property(sample, fc.nat(), (s, cut) => {
        const outcome = attempt(s.bytes.subarray(0, cut % s.bytes.length));
        if ("image" in outcome) expect(sha256(outcome.image.data)).toBe(s.sha256);
      }),
      { numRuns: 500 },
    );
  });

  it("changing bytes before the image data (CRCs left as they are) is an error, or changes nothing", () => {
    fc.assert(
      fc.property(
        sample,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (s, edits) => {
          const firstIdat = chunksOf(s.bytes).find((c) => c.type === "IDAT")!.offset;
          const bytes = s.bytes.slice();
          for (const [at, xor] of edits) bytes[8 + (at % (firstIdat - 8))] ^= xor;
          const outcome = attempt(bytes);
          // only possible if the edits cancelled out, or changed an ancillary chunk's name to another
          if ("image" in outcome) expect(sha256(outcome.image.data)).toBe(s.sha256);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("corrupting chunk data behind valid CRCs reaches inflate and the filters: an error or an image of the declared size", () => {
    fc.assert(
      fc.property(
        sample,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }),
        (s, edits) => {
          const chunks = chunksOf(s.bytes).filter((c) => c.length > 0);
          const bytes = s.bytes.slice();
          for (const [at, xor] of edits) {
            const c = chunks[at % chunks.length];
            bytes[c.offset + 8 + (Math.floor(at / chunks.length) % c.length)] ^= xor;
          }
          const outcome = attempt(fixCrcs(bytes));
          if ("image" in outcome) {
            const { width, height, channels, data } = outcome.image;
            expect(channels).toBe(3);
            expect(data.length).toBe(width * height * 3);
            const header = new DataView(bytes.buffer, 16, 8);
            expect([width, height]).toEqual([header.getUint32(0), header.getUint32(4)]);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("random bytes after a valid signature and header are an error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (tail) => {
        const outcome = attempt(join(SIGNATURE, ihdr(5, 4), tail));
        expect("error" in outcome).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("random zlib streams with valid CRCs are an error or an image of the right size", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (stream, interlaced) => {
        const outcome = attempt(png(ihdr(7, 5, 8, 6, interlaced ? 1 : 0), join(new Uint8Array([0x78, 0x9c]), stream)));
        if ("image" in outcome) expect(outcome.image.data.length).toBe(7 * 5 * 3);
      }),
      { numRuns: 500 },
    );
  });
});
