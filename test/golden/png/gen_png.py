#!/usr/bin/python3
"""Writes the PNG decoder's golden files: PNGs in every colour type and bit depth, interlaced and
not, with every filter type and several kinds of DEFLATE blocks, and png.json with the RGB bytes
that PIL's `Image.open(path).convert("RGB")` gives for each (the oracle gradstep must equal).

Two sources of files:
* PIL's own PNG writer (`Image.save`): what users' files usually look like. PIL never writes
  Adam7-interlaced files and chooses its own filters and compression.
* `encode_png` below, a small PNG encoder using Python's zlib, for what PIL does not write:
  interlacing, each filter type on purpose, stored / fixed-Huffman / dynamic blocks, 16-bit colour,
  IDAT split into many chunks, ancillary chunks. PIL decodes these files too, and that decoding is
  the expected output, so PIL stays the oracle for every file.

Run with the system interpreter (Debian's python3-pil): /usr/bin/python3 test/golden/png/gen_png.py
"""
import base64
import hashlib
import io
import json
import os
import struct
import warnings
import zlib

import numpy as np
import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "files")

# colour type -> samples per pixel
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(samples, depth):
    """One row of samples (ints) as bytes: big-endian 16-bit, bytes, or bits packed MSB first."""
    if depth == 16:
        return b"".join(struct.pack(">H", int(s)) for s in samples)
    if depth == 8:
        return bytes(int(s) for s in samples)
    out = bytearray()
    per_byte = 8 // depth
    for i in range(0, len(samples), per_byte):
        byte = 0
        group = samples[i:i + per_byte]
        for j, s in enumerate(group):
            byte |= int(s) << (8 - depth * (j + 1))
        out.append(byte)
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prior, bpp):
    out = bytearray(len(row))
    for i in range(len(row)):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (row[i] - predictor) & 255
    return bytes([kind]) + bytes(out)


def encode_png(samples, color_type, depth, interlace=False, filters=(0, 1, 2, 3, 4), compress=None,
               idat_size=None, palette=None, extra_chunks=()):
    """samples: (H, W, C) ints. filters: cycled row by row (per pass when interlaced)."""
    height, width, channels = samples.shape
    assert channels == CHANNELS[color_type]
    bpp = max(1, channels * depth // 8)
    images = [samples] if not interlace else [samples[y0::dy, x0::dx] for (x0, y0, dx, dy) in ADAM7]
    raw = bytearray()
    for image in images:
        h, w, _ = image.shape
        if h == 0 or w == 0:
            continue
        prior = bytes(len(pack_row(image[0].reshape(-1), depth)))
        for y in range(h):
            row = pack_row(image[y].reshape(-1), depth)
            raw += filter_row(filters[y % len(filters)], row, prior, bpp)
            prior = row
    compressor = compress or (lambda data: zlib.compress(data, 6))
    stream = compressor(bytes(raw))
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 1 if interlace else 0))
    for kind, data in extra_chunks:
        if kind != b"tRNS":
            out += chunk(kind, data)
    if palette is not None:
        out += chunk(b"PLTE", bytes(palette))
    for kind, data in extra_chunks:
        if kind == b"tRNS":
            out += chunk(kind, data)
    size = idat_size or len(stream)
    for start in range(0, len(stream), size):
        out += chunk(b"IDAT", stream[start:start + size])
    out += chunk(b"IEND", b"")
    return out


def with_strategy(level, strategy):
    def compress(data):
        c = zlib.compressobj(level, zlib.DEFLATED, 15, 9, strategy)
        return c.compress(data) + c.flush()
    return compress


rng = np.random.default_rng(1234)


def picture(height, width, channels, maximum):
    """Smooth gradients plus noise plus a flat patch: runs, matches and literals for DEFLATE."""
    y, x = np.mgrid[0:height, 0:width]
    planes = []
    for c in range(channels):
        wave = (np.sin(x / (3 + c) + c) + np.cos(y / (4 + 2 * c))) * 0.25 + 0.5
        noise = rng.random((height, width)) * 0.15
        planes.append(np.clip(wave + noise - 0.05, 0, 1))
    arr = np.stack(planes, axis=-1)
    arr[height // 3: height // 2, width // 4: width // 2, :] = 0.5
    return np.round(arr * maximum).astype(np.int64)


def add(name, data, cases, note):
    path = os.path.join(FILES, name)
    with open(path, "wb") as f:
        f.write(data)
    rgb = Image.open(path).convert("RGB")
    pixels = rgb.tobytes()
    case = {"file": name, "note": note, "width": rgb.width, "height": rgb.height,
            "sha256": hashlib.sha256(pixels).hexdigest()}
    if len(pixels) <= 4096:
        case["rgb"] = base64.b64encode(pixels).decode("ascii")  # small enough to show the first wrong pixel
    cases.append(case)


def main():
    warnings.simplefilter("ignore")  # PIL warns about palette transparency given as bytes
    os.makedirs(FILES, exist_ok=True)
    for old in os.listdir(FILES):
        os.remove(os.path.join(FILES, old))
    cases = []

    # ---- PIL's writer: every mode it saves, bit depth 8 (and its 1-, 2-, 4- and 16-bit modes) -----
    rgba = picture(23, 31, 4, 255).astype(np.uint8)
    pil_images = {
        "L": Image.fromarray(rgba[:, :, 0], "L"),
        "LA": Image.fromarray(rgba[:, :, :2], "LA"),
        "RGB": Image.fromarray(rgba[:, :, :3], "RGB"),
        "RGBA": Image.fromarray(rgba, "RGBA"),
        "P": Image.fromarray(rgba[:, :, :3], "RGB").quantize(colors=200),
        "1": Image.fromarray(rgba[:, :, 0], "L").convert("1"),
        "I16": Image.fromarray((picture(23, 31, 1, 400)[:, :, 0]).astype(np.uint16), "I;16"),
    }
    for mode, image in pil_images.items():
        for level in (0, 1, 6, 9):
            buffer = io.BytesIO()
            image.save(buffer, "PNG", compress_level=level)
            add(f"pil_{mode}_level{level}.png", buffer.getvalue(), cases, f"PIL save, mode {mode}, compress_level {level}")
    for bits in (1, 2, 4):
        image = Image.fromarray(rgba[:, :, :3], "RGB").quantize(colors=2 ** bits)
        buffer = io.BytesIO()
        image.save(buffer, "PNG", bits=bits)
        add(f"pil_P_bits{bits}.png", buffer.getvalue(), cases, f"PIL save, palette with bits={bits}")
    for mode in ("P", "L", "RGB"):
        image = pil_images[mode]
        buffer = io.BytesIO()
        transparency = 3 if mode != "RGB" else (10, 20, 30)
        image.save(buffer, "PNG", transparency=transparency, optimize=True)
        add(f"pil_{mode}_transparency.png", buffer.getvalue(), cases, f"PIL save, mode {mode} with tRNS, optimize")

    # ---- our encoder: each colour type and depth, interlaced or not -------------------------------
    sizes = [(1, 1), (3, 5), (9, 17), (31, 33)]
    combos = [(0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8),
              (4, 8), (4, 16), (6, 8), (6, 16)]
    for color_type, depth in combos:
        for interlace in (False, True):
            for height, width in sizes:
                channels = CHANNELS[color_type]
                palette = None
                if color_type == 3:
                    entries = 2 ** depth
                    samples = rng.integers(0, entries, (height, width, 1))
                    palette = rng.integers(0, 256, 3 * entries).tolist()
                else:
                    samples = picture(height, width, channels, 2 ** depth - 1)
                name = f"enc_c{color_type}_d{depth}_{'adam7' if interlace else 'flat'}_{height}x{width}.png"
                data = encode_png(samples, color_type, depth, interlace, palette=palette)
                add(name, data, cases, f"colour type {color_type}, depth {depth}, {'Adam7' if interlace else 'not interlaced'}, filters cycled 0-4")

    # ---- each filter alone, each kind of DEFLATE block, split IDATs, ancillary chunks ---------------
    rgb = picture(24, 30, 3, 255)
    for kind in range(5):
        for interlace in (False, True):
            add(f"filter{kind}_{'adam7' if interlace else 'flat'}.png",
                encode_png(rgb, 2, 8, interlace, filters=(kind,)), cases, f"RGB, every row filter {kind}")
    compressors = {
        "stored": lambda data: zlib.compress(data, 0),
        "fixed": with_strategy(9, zlib.Z_FIXED),
        "huffman_only": with_strategy(9, zlib.Z_HUFFMAN_ONLY),
        "rle": with_strategy(9, zlib.Z_RLE),
        "level1": lambda data: zlib.compress(data, 1),
        "level9": lambda data: zlib.compress(data, 9),
    }
    for name, compress in compressors.items():
        add(f"deflate_{name}.png", encode_png(rgb, 2, 8, True, compress=compress), cases, f"RGB Adam7, zlib {name}")
    add("idat_split.png", encode_png(rgb, 2, 8, False, idat_size=7), cases, "RGB, IDAT split every 7 bytes")
    add("ancillary.png", encode_png(picture(12, 10, 1, 255), 0, 8, False, extra_chunks=[
        (b"gAMA", struct.pack(">I", 45455)), (b"tEXt", b"Comment\x00gradstep"), (b"tRNS", struct.pack(">H", 7)),
    ]), cases, "gray with gAMA, tEXt, tRNS (ignored)")
    palette = [10, 20, 30, 40, 50, 60, 70, 80, 90]
    add("palette_short.png", encode_png(np.array([[[0], [1], [2], [3], [77], [255]]]), 3, 8, palette=palette), cases,
        "indices beyond the 3-entry PLTE read PIL's gray ramp")
    add("palette_trns.png", encode_png(rng.integers(0, 3, (6, 7, 1)), 3, 2, True, palette=palette,
                                       extra_chunks=[(b"tRNS", bytes([0, 128]))]), cases, "2-bit palette, Adam7, tRNS")
    big = picture(90, 120, 3, 255)
    add("big_rgb_adam7.png", encode_png(big, 2, 8, True, compress=lambda d: zlib.compress(d, 9)), cases, "120x90 RGB Adam7")
    buffer = io.BytesIO()
    Image.fromarray(big.astype(np.uint8), "RGB").save(buffer, "PNG")
    add("big_rgb_pil.png", buffer.getvalue(), cases, "120x90 RGB, PIL's writer")

    with open(os.path.join(HERE, "png.json"), "w") as f:
        json.dump({"generator": "test/golden/png/gen_png.py", "pillow_version": PIL.__version__,
                   "numpy_version": np.__version__, "cases": cases}, f, indent=0)
    print(f"wrote {len(cases)} PNG files")


if __name__ == "__main__":
    main()
