/**
 * A valid 3 MB PNG whose image data starts with ~107,000 empty dynamic-Huffman blocks using
 * 15-bit codes (test/golden/png/adversarial.ts). It decodes to its pixels; how long that takes,
 * against Node's zlib, is measured in bench/png.bench.ts, not asserted here.
 */
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { decodePng } from "../../src/data/png.js";
import { adversarialPng } from "../golden/png/adversarial.js";

describe("a PNG of many empty dynamic blocks with 15-bit codes", () => {
  const file = adversarialPng(3_000_000);

  it("is a valid zlib stream (Node's zlib agrees) of about 3 MB", () => {
    expect(file.bytes.length).toBeGreaterThan(3_000_000);
    expect(file.emptyBlocks).toBeGreaterThan(100_000);
    expect(new Uint8Array(inflateSync(file.zlibStream)).length).toBe(file.height * (1 + 3 * file.width));
  });

  it("decodes to its pixels", () => {
    const image = decodePng(file.bytes);
    expect([image.width, image.height, image.channels]).toEqual([file.width, file.height, 3]);
    expect(Buffer.from(image.data).equals(Buffer.from(file.rgb))).toBe(true);
  });
});
