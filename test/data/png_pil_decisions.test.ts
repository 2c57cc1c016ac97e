/**
 * decodePng accepts and refuses the same damaged files as PIL 9.4 (torchvision's loader, with
 * `LOAD_TRUNCATED_IMAGES` False), and where PIL accepts, gives the same RGB pixels. The corpus
 * (test/golden/png/pil_decisions.json, written by gen_pil_decisions.py) has hand-built files, one
 * per rule of PIL's, and damaged copies of the small golden files (truncated, bytes flipped, CRCs
 * fixed or not).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32 } from "../../src/crc32.js";
import { PngError, decodePng } from "../../src/data/png.js";

interface Decision {
  sha: string;
  /** first 16 hex digits of the SHA-256 of PIL's RGB bytes, or null: PIL refuses the file */
  rgb: string | null;
  error?: string;
}
const dir = new URL("../golden/png/", import.meta.url);
const corpus = JSON.parse(readFileSync(new URL("pil_decisions.json", dir), "utf8")) as {
  pillow_version: string;
  load_truncated_images: boolean;
  bases: string[];
  structural: (Decision & { name: string; zlib_b64: string })[];
  fuzz: (Decision & { base: number; ops: (["x", number, number] | ["t", number] | ["c"])[] })[];
  restructured: (Decision & { zlib_b64: string })[];
};
const shortHash = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex").slice(0, 16);

/** Recomputes the CRC of every complete chunk from byte 8 on, as the generator's fix_crcs. */
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

function rebuild(base: Uint8Array, ops: (["x", number, number] | ["t", number] | ["c"])[]): Uint8Array {
  let bytes: Uint8Array = base.slice();
  for (const op of ops) {
    if (op[0] === "x") bytes[op[1]] ^= op[2];
    else if (op[0] === "t") bytes = bytes.slice(0, op[1]);
    else bytes = fixCrcs(bytes);
  }
  return bytes;
}

/** gradstep's decision: the short hash of the RGB bytes, or null with the PngError's message. */
function decide(bytes: Uint8Array): { rgb: string | null; message: string; warnings: string[] } {
  const warnings: string[] = [];
  try {
    const image = decodePng(bytes, { onWarning: (m) => warnings.push(m) });
    return { rgb: shortHash(image.data), message: "", warnings };
  } catch (error) {
    if (!(error instanceof PngError)) throw error;
    return { rgb: null, message: error.message, warnings };
  }
}

const explain = (expected: Decision, got: ReturnType<typeof decide>) =>
  `PIL ${expected.rgb === null ? `refuses (${expected.error})` : "accepts"}, gradstep ${got.rgb === null ? `refuses (${got.message})` : `accepts${got.warnings.length ? ` with warnings: ${got.warnings.join(" | ")}` : ""}`}`;

describe("decodePng decides as PIL does", () => {
  it("corpus written by Pillow 9 with LOAD_TRUNCATED_IMAGES False", () => {
    expect(corpus.pillow_version).toMatch(/^9\./);
    expect(corpus.load_truncated_images).toBe(false);
    expect(corpus.fuzz.length + corpus.restructured.length).toBeGreaterThanOrEqual(2000);
  });

  it.each(corpus.structural.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const bytes = new Uint8Array(inflateSync(Buffer.from(c.zlib_b64, "base64")));
    expect(shortHash(bytes)).toBe(c.sha);
    const got = decide(bytes);
    expect(got.rgb, explain(c, got)).toBe(c.rgb);
  });

  it("files rebuilt chunk by chunk (IDAT split, chunks inserted, dropped, moved, CRCs broken, cut)", () => {
    const mismatches: string[] = [];
    for (const [i, c] of corpus.restructured.entries()) {
      const bytes = new Uint8Array(inflateSync(Buffer.from(c.zlib_b64, "base64")));
      expect(shortHash(bytes)).toBe(c.sha);
      const got = decide(bytes);
      if (got.rgb !== c.rgb) mismatches.push(`case ${i}: ${explain(c, got)}`);
    }
    expect(mismatches.slice(0, 20), `${mismatches.length} of ${corpus.restructured.length} differ`).toEqual([]);
  });

  it("damaged copies of the golden files", () => {
    const bases = corpus.bases.map((name) => new Uint8Array(readFileSync(new URL(`files/${name}`, dir))));
    const mismatches: string[] = [];
    for (const [i, c] of corpus.fuzz.entries()) {
      const bytes = rebuild(bases[c.base], c.ops);
      expect(shortHash(bytes), `case ${i}: rebuilt bytes`).toBe(c.sha);
      const got = decide(bytes);
      if (got.rgb !== c.rgb)
        mismatches.push(`case ${i} (${corpus.bases[c.base]} ${JSON.stringify(c.ops)}): ${explain(c, got)}`);
    }
    expect(mismatches.slice(0, 20), `${mismatches.length} of ${corpus.fuzz.length} differ`).toEqual([]);
  });
});
