/**
 * A zip64 writer for tests: the same entries as a stored zip, but with every size and offset moved
 * into zip64 extra fields and a zip64 end-of-central-directory record, as writers produce for
 * archives over 4 GiB. (gradstep itself writes plain zips; this checks its reader's zip64 path on a
 * small file.)
 */
import { crc32 } from "../../src/crc32.js";
import { readZip } from "../../src/io/zip.js";

export function toZip64(zip: Uint8Array): Uint8Array {
  const entries = [...readZip(zip)];
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const nameBytes = encoder.encode(name);
    const local = new Uint8Array(30 + nameBytes.length + 20);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, 45, true);
    l.setUint32(14, crc32(data), true);
    l.setUint32(18, 0xffffffff, true);
    l.setUint32(22, 0xffffffff, true);
    l.setUint16(26, nameBytes.length, true);
    l.setUint16(28, 20, true);
    local.set(nameBytes, 30);
    const le = 30 + nameBytes.length;
    l.setUint16(le, 1, true);
    l.setUint16(le + 2, 16, true);
    l.setBigUint64(le + 4, BigInt(data.length), true);
    l.setBigUint64(le + 12, BigInt(data.length), true);

    const record = new Uint8Array(46 + nameBytes.length + 28);
    const c = new DataView(record.buffer);
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, 45, true);
    c.setUint16(6, 45, true);
    c.setUint32(16, crc32(data), true);
    c.setUint32(20, 0xffffffff, true);
    c.setUint32(24, 0xffffffff, true);
    c.setUint16(28, nameBytes.length, true);
    c.setUint16(30, 28, true);
    c.setUint32(42, 0xffffffff, true);
    record.set(nameBytes, 46);
    const ce = 46 + nameBytes.length;
    c.setUint16(ce, 1, true);
    c.setUint16(ce + 2, 24, true);
    c.setBigUint64(ce + 4, BigInt(data.length), true);
    c.setBigUint64(ce + 12, BigInt(data.length), true);
    c.setBigUint64(ce + 20, BigInt(offset), true);

    parts.push(local, data);
    central.push(record);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((n, r) => n + r.length, 0);
  const end64 = new Uint8Array(56);
  const e = new DataView(end64.buffer);
  e.setUint32(0, 0x06064b50, true);
  e.setBigUint64(4, 44n, true);
  e.setUint16(12, 45, true);
  e.setUint16(14, 45, true);
  e.setBigUint64(24, BigInt(entries.length), true);
  e.setBigUint64(32, BigInt(entries.length), true);
  e.setBigUint64(40, BigInt(cdSize), true);
  e.setBigUint64(48, BigInt(offset), true);
  const locator = new Uint8Array(20);
  const lo = new DataView(locator.buffer);
  lo.setUint32(0, 0x07064b50, true);
  lo.setBigUint64(8, BigInt(offset + cdSize), true);
  lo.setUint32(16, 1, true);
  const end = new Uint8Array(22);
  const d = new DataView(end.buffer);
  d.setUint32(0, 0x06054b50, true);
  d.setUint16(8, 0xffff, true);
  d.setUint16(10, 0xffff, true);
  d.setUint32(12, 0xffffffff, true);
  d.setUint32(16, 0xffffffff, true);
  const all = [...parts, ...central, end64, locator, end];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
