/** A tiny PNG encoder (node:zlib) and a temporary ImageFolder tree, for the loop tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit RGB PNG of `width`×`height` whose pixels depend on `seed`. */
export function encodeTestPng(width: number, height: number, seed: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < 3 * width; x++) raw[y * (1 + 3 * width) + 1 + x] = (x * 7 + y * 13 + seed * 31) & 255;
  }
  const signature = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);
  return Buffer.concat([
    signature,
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** A temporary folder with `perClass` PNG files in a folder per class; returns its path. */
export function tempImageFolder(classes: readonly string[], perClass: number, png: (i: number) => Buffer): string {
  const root = mkdtempSync(join(tmpdir(), "gradstep-folder-"));
  let i = 0;
  for (const name of classes) {
    mkdirSync(join(root, name));
    for (let k = 0; k < perClass; k++) writeFileSync(join(root, name, `${k}.png`), png(i++));
  }
  return root;
}
