#!/usr/bin/python3
"""Writes pil_decisions.json: which damaged PNG files PIL 9.4 accepts (and the RGB pixels it gives)
and which it refuses, as torchvision's ImageFolder loads them: `Image.open(f).convert("RGB")`, with
`ImageFile.LOAD_TRUNCATED_IMAGES` False (the default). gradstep's decodePng must decide the same
(test/data/png_pil_decisions.test.ts).

Two parts:
* "structural": hand-built files, one per rule (a CRC mismatch in IDAT or IEND, a missing IEND or
  Adler-32, extra or missing image data, IDAT chunks split by a tEXt chunk, unknown chunks, short
  ancillary chunks, a checksum inside or beyond the first 64 KiB read, ...). Stored as zlib-compressed
  base64 bytes, since some are large but repetitive.
* "restructured": files rebuilt from the small files chunk by chunk (IDAT split at random places,
  chunks inserted, dropped or moved, a CRC broken, the file cut), stored like the structural ones.
* "fuzz": damaged copies of the small files in files/ (written by gen_png.py), stored as recipes to
  keep the corpus small: a base file and operations applied in order: ["x", offset, value] xors a
  byte, ["t", length] truncates, ["c"] recomputes the CRC of every complete chunk (so that damage
  reaches zlib and the filters). "sha" is the SHA-256 (first 16 hex digits) of the resulting file,
  so the test knows it rebuilt the bytes PIL saw.
Each case's "rgb" is the first 16 hex digits of the SHA-256 of PIL's RGB bytes, or null when PIL
refuses the file ("error" then says how).

Run with the system interpreter (Debian's python3-pil): /usr/bin/python3 test/golden/png/gen_pil_decisions.py
"""
import base64
import hashlib
import io
import json
import os
import random
import struct
import warnings
import zlib

import PIL
from PIL import Image, ImageFile

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")
SIG = b"\x89PNG\r\n\x1a\n"
assert ImageFile.LOAD_TRUNCATED_IMAGES is False
# Accepted files must stay small (a mutated IHDR could ask PIL for a huge image of black rows).
MAX_PIXELS = 1 << 20


def short_hash(data):
    return hashlib.sha256(data).hexdigest()[:16]


def pil_decision(data):
    """(rgb hash or None, error text or None) for these file bytes."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = Image.open(io.BytesIO(data))
            if im.size[0] * im.size[1] > MAX_PIXELS:
                return "skip", None
            rgb = im.convert("RGB")
        return short_hash(rgb.tobytes()), None
    except Exception as e:  # PIL raises many kinds; all mean "refused"
        return None, f"{type(e).__name__}: {str(e)[:80]}"


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def ihdr(w, h, depth=8, color=2, compression=0, filter_method=0, interlace=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, compression, filter_method, interlace))


IEND = chunk(b"IEND", b"")


def rows(w, h, bpp=3, filter_type=0):
    """Raw rows of a w×h image with `bpp` bytes per pixel: a filter byte, then a gradient."""
    return b"".join(bytes([filter_type]) + bytes((x * 7 + y * 13 + 5) & 255 for x in range(w * bpp)) for y in range(h))


def adam7_passes(w, h, bpp=3):
    """The raw rows of each non-empty Adam7 pass."""
    out = []
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]:
        pw, ph = (w - x0 + dx - 1) // dx, (h - y0 + dy - 1) // dy
        if pw > 0 and ph > 0:
            out.append(rows(pw, ph, bpp))
    return out


def stored_blocks(data, final=True):
    """DEFLATE stored blocks (≤ 65535 bytes each) holding data, the last one final if asked."""
    out = b""
    parts = [data[i:i + 65535] for i in range(0, len(data), 65535)] or [b""]
    for i, part in enumerate(parts):
        last = final and i == len(parts) - 1
        out += bytes([1 if last else 0]) + struct.pack("<HH", len(part), len(part) ^ 0xFFFF) + part
    return out


def adler(data):
    return struct.pack(">I", zlib.adler32(data) & 0xFFFFFFFF)


def structural_cases():
    """[(name, file bytes)]: one file per rule of PIL's."""
    cases = []
    add = lambda name, data: cases.append((name, data))
    r = rows(5, 4)
    z = zlib.compress(r)
    head = SIG + ihdr(5, 4)
    good = head + chunk(b"IDAT", z) + IEND
    add("good", good)
    # CRCs: checked before the image data, not from IDAT on
    add("bad CRC in IHDR", SIG + ihdr(5, 4)[:-1] + b"\0" + chunk(b"IDAT", z) + IEND)
    add("bad CRC in tEXt before IDAT", head + chunk(b"tEXt", b"a\0b")[:-1] + b"\0" + chunk(b"IDAT", z) + IEND)
    add("bad CRC in IDAT", head + chunk(b"IDAT", z)[:-1] + b"\0" + IEND)
    add("bad CRC in IEND", head + chunk(b"IDAT", z) + IEND[:-1] + b"\0")
    add("bad CRC in tEXt after IDAT", head + chunk(b"IDAT", z) + chunk(b"tEXt", b"a\0b")[:-1] + b"\0" + IEND)
    # the end of the file
    add("no IEND", head + chunk(b"IDAT", z))
    for cut in (1, 4, 8, 11):
        add(f"IEND cut by {cut} bytes", good[:-cut])
    add("IDAT CRC cut", head + chunk(b"IDAT", z)[:-2])
    add("IEND with data", head + chunk(b"IDAT", z) + chunk(b"IEND", b"xy"))
    add("garbage after IEND", good + b"garbage")
    add("tEXt after IDAT cut short", head + chunk(b"IDAT", z) + chunk(b"tEXt", b"key\0value")[:-6])
    add("unknown chunk after IDAT cut short", head + chunk(b"IDAT", z) + chunk(b"zzZZ", b"abcdef")[:-5])
    add("invalid chunk type after IDAT", head + chunk(b"IDAT", z) + chunk(b"a-b!", b"") + IEND)
    add("second IDAT cut short after a complete image", head + chunk(b"IDAT", z) + chunk(b"IDAT", b"abcdef")[:-3])
    # the zlib stream
    add("no Adler-32", head + chunk(b"IDAT", z[:-4]) + IEND)
    add("half an Adler-32", head + chunk(b"IDAT", z[:-2]) + IEND)
    add("no Adler-32, no IEND", head + chunk(b"IDAT", z[:-4]))
    bad = z[:-1] + bytes([z[-1] ^ 1])
    add("bad Adler-32", head + chunk(b"IDAT", bad) + IEND)
    add("bad Adler-32 in a separate IDAT", head + chunk(b"IDAT", bad[:-4]) + chunk(b"IDAT", bad[-4:]) + IEND)
    add("extra image data", head + chunk(b"IDAT", zlib.compress(r + b"more data")) + IEND)
    add("extra image data, bad Adler-32", head + chunk(b"IDAT", zlib.compress(r + b"more")[:-1] + b"\0") + IEND)
    add("stream ends after 2 of 4 rows", head + chunk(b"IDAT", zlib.compress(r[:32])) + IEND)
    add("stream ends inside row 3", head + chunk(b"IDAT", zlib.compress(r[:40])) + IEND)
    add("stream ends after 2 rows, bad Adler-32", head + chunk(b"IDAT", zlib.compress(r[:32])[:-1] + b"\0") + IEND)
    add("stream ends after 2 rows, no Adler-32", head + chunk(b"IDAT", zlib.compress(r[:32])[:-4]) + IEND)
    early = zlib.compress(r[:32])
    add("stream ends after 2 rows, Adler-32 in the next IDAT", head + chunk(b"IDAT", early[:-2]) + chunk(b"IDAT", early[-2:]) + IEND)
    ra = b"".join(adam7_passes(9, 9))
    add("interlaced, stream ends after pass 5", SIG + ihdr(9, 9, interlace=1) + chunk(b"IDAT", zlib.compress(b"".join(adam7_passes(9, 9)[:5]))) + IEND)
    add("interlaced, cut inside the image data", (SIG + ihdr(9, 9, interlace=1) + chunk(b"IDAT", zlib.compress(ra)) + IEND)[:70])
    add("preset dictionary flag", head + chunk(b"IDAT", bytes([0x78, 0xBB]) + z[2:]) + IEND)
    add("bad filter type", head + chunk(b"IDAT", zlib.compress(bytes([5]) + r[1:])) + IEND)
    add("bad filter type on the last row", head + chunk(b"IDAT", zlib.compress(r[:48] + bytes([7]) + r[49:])) + IEND)
    add("empty first IDAT", head + chunk(b"IDAT", b"") + chunk(b"IDAT", z) + IEND)
    add("one IDAT per byte", head + b"".join(chunk(b"IDAT", z[i:i + 1]) for i in range(len(z))) + IEND)
    add("IDAT split by tEXt, image incomplete", head + chunk(b"IDAT", z[:10]) + chunk(b"tEXt", b"a\0b") + chunk(b"IDAT", z[10:]) + IEND)
    add("IDAT split by tEXt before the Adler-32", head + chunk(b"IDAT", z[:-4]) + chunk(b"tEXt", b"a\0b") + chunk(b"IDAT", z[-4:]) + IEND)
    add("IDAT split by an unknown critical chunk", head + chunk(b"IDAT", z[:10]) + chunk(b"ABCD", b"") + chunk(b"IDAT", z[10:]) + IEND)
    # the first 64 KiB read: a checksum in it is checked, beyond it not
    big = rows(128, 170)  # 65450 bytes
    for pad in (5, 20):
        stream = b"\x78\x01" + stored_blocks(big, final=False) + stored_blocks(b"", final=False) * pad + stored_blocks(b"") + b"\0\0\0\0"
        add(f"bad Adler-32 at byte {len(stream) - 4} of one IDAT", SIG + ihdr(128, 170) + chunk(b"IDAT", stream) + IEND)
    # chunks before the image data
    add("no IDAT", head + IEND)
    add("no IHDR", SIG + chunk(b"IDAT", z) + IEND)
    add("tEXt before IHDR", SIG + chunk(b"tEXt", b"a\0b") + ihdr(5, 4) + chunk(b"IDAT", z) + IEND)
    add("two IHDR, the last counts", SIG + ihdr(3, 3) + ihdr(5, 4) + chunk(b"IDAT", z) + IEND)
    add("IHDR of 12 bytes", SIG + chunk(b"IHDR", struct.pack(">IIBBBB", 5, 4, 8, 2, 0, 0)) + chunk(b"IDAT", z) + IEND)
    add("IHDR of 15 bytes", SIG + chunk(b"IHDR", struct.pack(">IIBBBBB", 5, 4, 8, 2, 0, 0, 0) + b"xy") + chunk(b"IDAT", z) + IEND)
    add("bit depth 4 for RGB", SIG + ihdr(5, 4, depth=4) + chunk(b"IDAT", z) + IEND)
    add("colour type 5", SIG + ihdr(5, 4, color=5) + chunk(b"IDAT", z) + IEND)
    add("compression method 1", SIG + ihdr(5, 4, compression=1) + chunk(b"IDAT", z) + IEND)
    add("filter method 1", SIG + ihdr(5, 4, filter_method=1) + chunk(b"IDAT", z) + IEND)
    add("interlace method 2 with Adam7 data", SIG + ihdr(9, 9, interlace=2) + chunk(b"IDAT", zlib.compress(ra)) + IEND)
    add("interlace method 2 with plain data", SIG + ihdr(5, 4, interlace=2) + chunk(b"IDAT", z) + IEND)
    add("width 0", SIG + ihdr(0, 4) + chunk(b"IDAT", z) + IEND)
    add("unknown critical chunk", head + chunk(b"ABCD", b"x") + chunk(b"IDAT", z) + IEND)
    add("chunk type with digits", head + chunk(b"ab1_", b"x") + chunk(b"IDAT", z) + IEND)
    add("invalid chunk type", head + chunk(b"a b!", b"x") + chunk(b"IDAT", z) + IEND)
    add("chunk cut short before IDAT", head + chunk(b"tEXt", b"abcdef")[:-6])
    add("CRC cut short before IDAT", head + chunk(b"tEXt", b"abcdef")[:-2])
    # palettes
    p = bytes([0, 1, 2, 3, 0, 4, 5, 6])
    pz = zlib.compress(p)
    ph = SIG + ihdr(3, 2, color=3)
    add("palette image without PLTE", ph + chunk(b"IDAT", pz) + IEND)
    for n in (0, 4, 6, 770, 771):
        add(f"PLTE of {n} bytes", ph + chunk(b"PLTE", (bytes(range(30, 256)) * 4)[:n]) + chunk(b"IDAT", pz) + IEND)
    add("PLTE after IDAT", ph + chunk(b"IDAT", pz) + chunk(b"PLTE", bytes(range(30, 45))) + IEND)
    add("PLTE in an RGB image", head + chunk(b"PLTE", b"\1\2") + chunk(b"IDAT", z) + IEND)
    add("tRNS of 1 byte in a palette image", ph + chunk(b"PLTE", bytes(range(30, 45))) + chunk(b"tRNS", b"\0") + chunk(b"IDAT", pz) + IEND)
    add("palette image without PLTE, one transparent index", ph + chunk(b"tRNS", b"\xff\0") + chunk(b"IDAT", pz) + IEND)
    add("palette image without PLTE, one transparent index after IDAT", ph + chunk(b"IDAT", pz) + chunk(b"tRNS", b"\0") + IEND)
    add("palette image without PLTE, alpha per entry", ph + chunk(b"tRNS", b"\x80\0") + chunk(b"IDAT", pz) + IEND)
    pl = chunk(b"PLTE", bytes(range(30, 90)))
    add("IHDR palette, PLTE, IHDR gray 8-bit: gray values read the palette", ph + pl + ihdr(5, 4, color=0) + chunk(b"IDAT", zlib.compress(rows(5, 4, 1))) + IEND)
    add("IHDR palette, PLTE, IHDR gray 4-bit", ph + pl + ihdr(2, 2, depth=4, color=0) + chunk(b"IDAT", zlib.compress(bytes([0, 0x12, 0, 0x34]))) + IEND)
    add("IHDR palette, PLTE, IHDR gray+alpha", ph + pl + ihdr(5, 4, color=4) + chunk(b"IDAT", zlib.compress(rows(5, 4, 2))) + IEND)
    add("IHDR palette, PLTE, IHDR RGB", ph + pl + ihdr(5, 4) + chunk(b"IDAT", z) + IEND)
    # ancillary chunks PIL parses
    for kind, data in [(b"tRNS", b"\0\1\0"), (b"tRNS", b"\0" * 6), (b"gAMA", b"\0\0\1"), (b"gAMA", b"\0\0\1\0"), (b"cHRM", b"\0" * 5),
                       (b"cHRM", b"\0" * 8), (b"sRGB", b""), (b"pHYs", b"\0" * 8), (b"pHYs", b"\0" * 9), (b"iCCP", b"name"),
                       (b"iCCP", b"name\0\0xx"), (b"zTXt", b"k\0\1xx"), (b"zTXt", b"k\0\0xx"), (b"zTXt", b"k"), (b"iTXt", b"k\0\1\1x")]:
        add(f"{kind.decode()} {data.hex() or '(empty)'} before IDAT", head + chunk(kind, data) + chunk(b"IDAT", z) + IEND)
        add(f"{kind.decode()} {data.hex() or '(empty)'} after IDAT", head + chunk(b"IDAT", z) + chunk(kind, data) + IEND)
    add("tRNS of 1 byte in a gray image", SIG + ihdr(5, 4, color=0) + chunk(b"tRNS", b"\0") + chunk(b"IDAT", zlib.compress(rows(5, 4, 1))) + IEND)
    return cases


def fix_crcs(data):
    """Recomputes the CRC of every complete chunk from byte 8 on (test/data/png_pil_decisions.test.ts does the same)."""
    out = bytearray(data)
    at = 8
    while at + 12 <= len(out):
        length = struct.unpack(">I", out[at:at + 4])[0]
        if at + 12 + length > len(out):
            break
        out[at + 8 + length:at + 12 + length] = struct.pack(">I", zlib.crc32(bytes(out[at + 4:at + 8 + length])) & 0xFFFFFFFF)
        at += 12 + length
    return bytes(out)


def apply(data, ops):
    for op in ops:
        if op[0] == "x":
            data = data[:op[1]] + bytes([data[op[1]] ^ op[2]]) + data[op[1] + 1:]
        elif op[0] == "t":
            data = data[:op[1]]
        else:
            data = fix_crcs(data)
    return data


def idat_range(data):
    """(start, end) of the first IDAT chunk's data."""
    at = 8
    while at + 8 <= len(data):
        length = struct.unpack(">I", data[at:at + 4])[0]
        if data[at + 4:at + 8] == b"IDAT":
            return at + 8, at + 8 + length
        at += 12 + length
    return 8, len(data)


def fuzz_cases(bases, count, rng):
    cases = []
    while len(cases) < count:
        base = rng.randrange(len(bases))
        data = bases[base][1]
        kind = rng.randrange(6)
        start, end = idat_range(data)
        if kind == 0:  # cut anywhere
            ops = [["t", rng.randrange(8, len(data))]]
        elif kind == 1:  # cut near the end: IEND, the IDAT CRC, the Adler-32, the last block
            ops = [["t", max(8, len(data) - rng.randrange(1, 40))]]
        elif kind == 2:  # flip bytes, CRCs as they are
            ops = [["x", rng.randrange(8, len(data)), rng.randrange(1, 256)] for _ in range(rng.randrange(1, 4))]
        elif kind == 3:  # flip bytes of the image data, CRCs fixed: reaches zlib and the filters
            ops = [["x", rng.randrange(start, end), rng.randrange(1, 256)] for _ in range(rng.randrange(1, 4))] + [["c"]]
        elif kind == 4:  # flip the end of the zlib stream (last block, Adler-32), CRCs fixed
            ops = [["x", rng.randrange(max(start, end - 12), end), 1 << rng.randrange(8)]] + [["c"]]
        else:  # flip anywhere with CRCs fixed, then maybe cut
            ops = [["x", rng.randrange(8, len(data)), rng.randrange(1, 256)] for _ in range(rng.randrange(1, 3))] + [["c"]]
            if rng.random() < 0.5:
                ops.append(["t", rng.randrange(8, len(data))])
        ops = [op for op in ops if op[0] != "x" or op[1] < len(data)]
        mutated = apply(data, ops)
        if mutated == data:
            continue
        rgb, error = pil_decision(mutated)
        if rgb == "skip":
            continue
        case = {"base": base, "ops": ops, "sha": short_hash(mutated), "rgb": rgb}
        if error:
            case["error"] = error.split(":")[0]  # the exception's name: the corpus stays small
        cases.append(case)
    return cases


def chunks_of(data):
    """[(type, data)] of the complete chunks from byte 8 on."""
    out, at = [], 8
    while at + 12 <= len(data):
        length = struct.unpack(">I", data[at:at + 4])[0]
        if at + 12 + length > len(data):
            break
        out.append((data[at + 4:at + 8], data[at + 8:at + 8 + length]))
        at += 12 + length
    return out


EXTRA_CHUNKS = [(b"tEXt", b"a\0b"), (b"zzZZ", b"xyz"), (b"ABCD", b""), (b"IDAT", b""), (b"IEND", b""), (b"PLTE", bytes(range(40, 61))),
                (b"tRNS", b"\0"), (b"gAMA", b"\0\1"), (b"IHDR", struct.pack(">IIBBBBB", 3, 3, 8, 0, 0, 0, 0)), (b"IDAT", b"\x78\x9c")]


def restructured_cases(bases, count, rng):
    """Files rebuilt chunk by chunk: IDAT split at random places, chunks inserted, dropped, moved, CRCs broken, cut."""
    cases = []
    while len(cases) < count:
        chs = chunks_of(bases[rng.randrange(len(bases))][1])
        for _ in range(rng.randrange(1, 4)):
            action = rng.randrange(4)
            idats = [i for i, (t, _) in enumerate(chs) if t == b"IDAT"]
            if action == 0 and idats:
                i = rng.choice(idats)
                data = chs[i][1]
                cuts = sorted(rng.randrange(0, len(data) + 1) for _ in range(rng.randrange(1, 4)))
                parts = [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]
                chs[i:i + 1] = [(b"IDAT", part) for part in parts]
            elif action == 1:
                chs.insert(rng.randrange(1, len(chs) + 1), rng.choice(EXTRA_CHUNKS))
            elif action == 2 and len(chs) > 2:
                del chs[rng.randrange(1, len(chs))]
            elif len(chs) > 2:
                moved = chs.pop(rng.randrange(1, len(chs)))
                chs.insert(rng.randrange(1, len(chs) + 1), moved)
        data = bytearray(SIG + b"".join(chunk(t, d) for t, d in chs))
        if rng.random() < 0.2:  # break one CRC
            at, ends = 8, []
            for t, d in chs:
                at += 12 + len(d)
                ends.append(at)
            data[rng.choice(ends) - 1] ^= 1
        if rng.random() < 0.3:
            data = data[:rng.randrange(8, len(data))]
        data = bytes(data)
        rgb, error = pil_decision(data)
        if rgb == "skip":
            continue
        case = {"zlib_b64": base64.b64encode(zlib.compress(data, 9)).decode(), "sha": short_hash(data), "rgb": rgb}
        if error:
            case["error"] = error.split(":")[0]
        cases.append(case)
    return cases


def main():
    rng = random.Random(20261201)
    names = sorted(f for f in os.listdir(FILES) if f.endswith(".png") and os.path.getsize(os.path.join(FILES, f)) <= 8000)
    bases = [(name, open(os.path.join(FILES, name), "rb").read()) for name in names]
    structural = []
    for name, data in structural_cases():
        rgb, error = pil_decision(data)
        assert rgb != "skip"
        case = {"name": name, "zlib_b64": base64.b64encode(zlib.compress(data, 9)).decode(), "sha": short_hash(data), "rgb": rgb}
        if error:
            case["error"] = error
        structural.append(case)
    fuzz = fuzz_cases(bases, 1700, rng)
    restructured = restructured_cases([b for b in bases if len(b[1]) <= 300], 300, rng)
    out = {
        "pillow_version": PIL.__version__,
        "load_truncated_images": ImageFile.LOAD_TRUNCATED_IMAGES,
        "bases": names,
        "structural": structural,
        "fuzz": fuzz,
        "restructured": restructured,
    }
    with open(os.path.join(HERE, "pil_decisions.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    accepted = sum(1 for c in fuzz if c["rgb"])
    print(f"{len(structural)} structural cases, {len(fuzz)} fuzz cases ({accepted} accepted by PIL), "
          f"{len(restructured)} restructured ({sum(1 for c in restructured if c['rgb'])} accepted)")


if __name__ == "__main__":
    main()
