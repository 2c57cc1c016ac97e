/**
 * CRC-32 (ISO 3309 / ITU-T V.42, the reflected polynomial 0xEDB88320), the checksum of PNG chunks and
 * of zip entries: one table lookup per byte.
 */

let table: Uint32Array | null = null;

/** The CRC-32 of bytes[start..end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (table === null) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = table[(crc ^ bytes[i]) & 255] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
