/** The golden values from test/golden/data/gen_data.py (PyTorch 1.13 and PIL), with decoders for its base64 arrays. */
import { readFileSync } from "node:fs";

export const goldenDir = new URL("../golden/data/", import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const fixture: any = JSON.parse(readFileSync(new URL("data.json", goldenDir), "utf8"));

/** base64 of little-endian float32 bytes → numbers. */
export function float32s(b64: string): Float32Array {
  const bytes = Buffer.from(b64, "base64");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
}

/** base64 → bytes. */
export function uint8s(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, "base64"));
}
