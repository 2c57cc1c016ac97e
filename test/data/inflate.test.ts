/**
 * Our inflate against Node's zlib as the encoder: any bytes compressed at any level and strategy
 * come back exactly; corrupted streams throw InflateError, never anything else, and never write
 * more than the cap.
 */
import { deflateRawSync, deflateSync, constants } from "node:zlib";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { InflateError, adler32, inflateRaw, inflateZlib } from "../../src/data/inflate.js";

const strategies = [
  constants.Z_DEFAULT_STRATEGY,
  constants.Z_FILTERED,
  constants.Z_HUFFMAN_ONLY,
  constants.Z_RLE,
  constants.Z_FIXED,
];

/** Bytes that compress in interesting ways: runs, repeats at many distances, noise. */
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }),
  fc
    .array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 400 })), { maxLength: 40 })
    .map((runs) => Uint8Array.from(runs.flatMap(([value, count]) => Array<number>(count).fill(value)))),
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 50 }), fc.integer({ min: 1, max: 3000 }))
    .map(([unit, n]) => Uint8Array.from({ length: n }, (_, i) => unit[i % unit.length] ^ (i % 97 === 0 ? 1 : 0))),
);

describe("inflate round-trips Node's deflate", () => {
  it("every level and strategy, zlib and raw", () => {
    fc.assert(
      fc.property(
        payload,
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(...strategies),
        fc.integer({ min: 8, max: 15 }),
        (data, level, strategy, windowBits) => {
          const zlib = new Uint8Array(deflateSync(data, { level, strategy, windowBits: Math.max(windowBits, 9) }));
          expect(inflateZlib(zlib, data.length)).toEqual(data);
          const raw = new Uint8Array(deflateRawSync(data, { level, strategy }));
          expect(inflateRaw(raw, data.length)).toEqual(data);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("long outputs with far matches (32 KiB window) and many blocks", () => {
    const data = new Uint8Array(300_000);
    let x = 12345;
    for (let i = 0; i < data.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      data[i] = i > 40_000 && x % 3 !== 0 ? data[i - 32_000 - (x % 700)] : x >>> 24;
    }
    for (const level of [0, 1, 6, 9])
      expect(inflateZlib(new Uint8Array(deflateSync(data, { level })), data.length)).toEqual(data);
  });

  it("adler32 of known strings", () => {
    expect(adler32(new TextEncoder().encode("Wikipedia"))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(0))).toBe(1);
    expect(adler32(new Uint8Array(100_000).fill(255))).toBe(
      Number.parseInt(
        Buffer.from(deflateSync(new Uint8Array(100_000).fill(255)))
          .subarray(-4)
          .toString("hex"),
        16,
      ),
    );
  });
});

describe("inflate on corrupt input", () => {
  it("refuses output beyond the cap", () => {
    const data = new Uint8Array(1000).fill(7);
    expect(() => inflateZlib(new Uint8Array(deflateSync(data)), 999)).toThrow(
      /larger than expected \(more than 999 bytes\)/,
    );
  });

  it("corrupted streams throw InflateError or give at most the cap", () => {
    fc.assert(
      fc.property(
        payload,
        fc.integer({ min: 0, max: 9 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 }),
        fc.nat(),
        (data, level, edits, cut) => {
          const stream = new Uint8Array(deflateSync(data, { level }));
          for (const [at, xor] of edits) stream[at % stream.length] ^= xor;
          const truncated = cut % 4 === 0 ? stream.subarray(0, cut % (stream.length + 1)) : stream;
          try {
            const out = inflateZlib(truncated, data.length);
            expect(out.length).toBeLessThanOrEqual(data.length);
          } catch (error) {
            expect(error).toBeInstanceOf(InflateError);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("random raw bytes: InflateError or bounded output", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          expect(inflateRaw(bytes, 5000).length).toBeLessThanOrEqual(5000);
        } catch (error) {
          expect(error).toBeInstanceOf(InflateError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
