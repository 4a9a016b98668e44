#!/usr/bin/env python3
"""Writes the decoder fixtures in Tests/Fixtures/images/ and their expected pixels.

Run from the repository root:  python3 Tools/make_image_fixtures.py
Needs numpy and Pillow. When they are not importable, the script creates a venv
(IMAGE_FIXTURE_VENV, default /tmp/iovenv), installs them with pip and re-runs itself there.

What it writes (all 13x7 unless noted, odd sizes on purpose):
  * PNGs that Pillow writes: gray 1/8/16-bit, gray+alpha, RGB, RGBA, palette 1/2/4/8-bit
    (Pillow's `bits=`), palette with tRNS, gray and RGB with a tRNS colour key.
  * PNGs Pillow cannot write, built here with zlib (write_png below): gray 2- and 4-bit, and
    Adam7-interlaced RGBA 8-bit and gray 4-bit.
  * JPEGs that Pillow writes: baseline gray and RGB, progressive RGB, RGB with EXIF orientation
    6 and 3, and a CMYK JPEG (which the decoder must refuse).
  * expected.json: for every decodable fixture the pixels *Pillow decodes* (after
    ImageOps.exif_transpose for JPEGs; for colour-keyed PNGs the alpha the PNG spec gives);
    palette fixtures list indices plus the RGBA palette. The Swift tests compare against it.
"""

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

try:
    import numpy as np
    from PIL import Image, ImageOps
except ImportError:  # bootstrap a venv with the two packages, then run again inside it
    venv = Path(os.environ.get("IMAGE_FIXTURE_VENV", "/tmp/iovenv"))
    python = venv / "bin" / "python"
    if Path(sys.executable).resolve() == python.resolve():
        sys.exit(f"numpy/Pillow still missing in {venv}; run: {python} -m pip install pillow numpy")
    if not python.exists():
        print(f"creating {venv} with pillow and numpy", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", str(venv)])
        subprocess.check_call([str(python), "-m", "pip", "install", "-q", "pillow", "numpy"])
    os.execv(str(python), [str(python), *sys.argv])

OUT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "images"
W, H = 13, 7
rng = np.random.default_rng(20240607)


# ---------------------------------------------------------------- hand-made PNGs

def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(values, bit_depth):
    """One row of samples (already flattened over channels) as PNG bytes."""
    if bit_depth == 16:
        return b"".join(struct.pack(">H", int(v)) for v in values)
    if bit_depth == 8:
        return bytes(int(v) for v in values)
    per_byte = 8 // bit_depth
    out = bytearray()
    for i in range(0, len(values), per_byte):
        byte = 0
        group = list(values[i:i + per_byte]) + [0] * (per_byte - len(values[i:i + per_byte]))
        for v in group:
            byte = (byte << bit_depth) | int(v)
        out.append(byte)
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def write_png(path, pixels, bit_depth, color_type, interlace=False):
    """pixels: (h, w, c) integer array. Filter type 0 on every row."""
    h, w, c = pixels.shape
    raw = bytearray()
    if interlace:
        for x0, y0, dx, dy in ADAM7:
            sub = pixels[y0::dy, x0::dx, :]
            if sub.shape[0] == 0 or sub.shape[1] == 0:
                continue
            for row in sub:
                raw += b"\x00" + pack_row(row.reshape(-1), bit_depth)
    else:
        for row in pixels:
            raw += b"\x00" + pack_row(row.reshape(-1), bit_depth)
    ihdr = struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 1 if interlace else 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    path.write_bytes(data)


# ---------------------------------------------------------------- helpers

def smooth_rgb(w=W, h=H):
    """A smooth gradient with mild noise, so JPEG fixtures are realistic."""
    y, x = np.mgrid[0:h, 0:w]
    r = 40 + 160 * x / max(w - 1, 1)
    g = 30 + 180 * y / max(h - 1, 1)
    b = 128 + 60 * np.sin(x / 2.0) * np.cos(y / 3.0)
    img = np.stack([r, g, b], axis=-1) + rng.normal(0, 4, (h, w, 3))
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


fixtures = []


def record(name, pixels, bits, palette=None, note=""):
    pixels = np.asarray(pixels)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    h, w, c = pixels.shape
    entry = {"file": name, "width": w, "height": h, "channels": c, "bits": bits,
             "pixels": [int(v) for v in pixels.reshape(-1)], "note": note}
    if palette is not None:
        entry["palette"] = [[int(v) for v in p] for p in palette]
    fixtures.append(entry)


def from_np(array, mode):
    """A Pillow image of `mode` from a (h, w[, c]) array (fromarray's mode argument is gone in Pillow 13)."""
    array = np.ascontiguousarray(array)
    if mode == "I;16":
        array = array.astype("<u2")
    return Image.frombytes(mode, (array.shape[1], array.shape[0]), array.tobytes())


def pillow(name):
    return Image.open(OUT / name)


def pillow_palette(im):
    """RGBA palette entries of a P image as Pillow reads them (alpha from tRNS)."""
    flat = im.getpalette(rawmode="RGB")
    count = len(flat) // 3
    alpha = [255] * count
    t = im.info.get("transparency")
    if isinstance(t, (bytes, bytearray)):
        for i, a in enumerate(t):
            alpha[i] = a
    elif isinstance(t, int):
        alpha[t] = 0
    return [(flat[3 * i], flat[3 * i + 1], flat[3 * i + 2], alpha[i]) for i in range(count)]


# ---------------------------------------------------------------- PNGs Pillow writes

def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()

    g1 = rng.integers(0, 2, (H, W)).astype(np.uint8) * 255
    from_np(g1, "L").convert("1").save(OUT / "gray1.png")
    record("gray1.png", np.array(pillow("gray1.png").convert("L")), 8, note="mode 1, expanded to 0/255")

    g8 = rng.integers(0, 256, (H, W)).astype(np.uint8)
    from_np(g8, "L").save(OUT / "gray8.png")
    record("gray8.png", np.array(pillow("gray8.png")), 8)

    g16 = rng.integers(0, 65536, (H, W)).astype(np.uint16)
    from_np(g16, "I;16").save(OUT / "gray16.png")
    im = pillow("gray16.png")
    assert im.mode == "I;16", im.mode
    record("gray16.png", np.array(im), 16)

    la = rng.integers(0, 256, (H, W, 2)).astype(np.uint8)
    from_np(la, "LA").save(OUT / "graya8.png")
    record("graya8.png", np.array(pillow("graya8.png")), 8)

    rgb = rng.integers(0, 256, (H, W, 3)).astype(np.uint8)
    from_np(rgb, "RGB").save(OUT / "rgb8.png")
    record("rgb8.png", np.array(pillow("rgb8.png")), 8)

    rgba = rng.integers(0, 256, (H, W, 4)).astype(np.uint8)
    from_np(rgba, "RGBA").save(OUT / "rgba8.png")
    record("rgba8.png", np.array(pillow("rgba8.png")), 8)

    # Palette images at 1, 2, 4, 8 bits per index.
    for bits in (1, 2, 4, 8):
        colours = 1 << bits if bits < 8 else 200
        idx = rng.integers(0, colours, (H, W)).astype(np.uint8)
        pal = rng.integers(0, 256, (colours, 3)).astype(np.uint8)
        im = from_np(idx, "P")
        im.putpalette(pal.reshape(-1).tolist())
        name = f"palette{bits}.png"
        im.save(OUT / name, bits=bits)
        back = pillow(name)
        record(name, np.array(back), 8, palette=pillow_palette(back), note=f"{bits}-bit indices")

    # Palette with tRNS (per-entry alpha).
    idx = rng.integers(0, 5, (H, W)).astype(np.uint8)
    im = from_np(idx, "P")
    im.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255])
    im.save(OUT / "palette_trns.png", transparency=bytes([0, 128, 255, 64]))
    back = pillow("palette_trns.png")
    record("palette_trns.png", np.array(back), 8, palette=pillow_palette(back), note="tRNS on palette")

    # Colour-keyed gray and RGB (tRNS): the decoder adds alpha, 0 where the key matches.
    g = rng.integers(0, 4, (H, W)).astype(np.uint8) * 60
    from_np(g, "L").save(OUT / "gray8_trns.png", transparency=60)
    v = np.array(pillow("gray8_trns.png"))
    record("gray8_trns.png", np.stack([v, np.where(v == 60, 0, 255)], axis=-1), 8, note="tRNS key 60 -> alpha")

    c = rng.integers(0, 2, (H, W, 1)) * np.array([[[10, 20, 30]]]) + (1 - rng.integers(0, 2, (H, W, 1))) * 100
    c = c.astype(np.uint8)
    from_np(c, "RGB").save(OUT / "rgb8_trns.png", transparency=(10, 20, 30))
    v = np.array(pillow("rgb8_trns.png"))
    key = np.all(v == np.array([10, 20, 30]), axis=-1)
    record("rgb8_trns.png", np.concatenate([v, np.where(key, 0, 255)[:, :, None]], axis=-1), 8,
           note="tRNS key (10,20,30) -> alpha")

    # ------------------------------------------------------------ PNGs built here, read by Pillow
    for bits in (2, 4):
        vals = rng.integers(0, 1 << bits, (H, W, 1))
        name = f"gray{bits}.png"
        write_png(OUT / name, vals, bits, 0)
        record(name, np.array(pillow(name)), 8, note=f"{bits}-bit gray, scaled to 8 bits")

    vals = rng.integers(0, 256, (H, W, 4))
    write_png(OUT / "rgba8_interlaced.png", vals, 8, 6, interlace=True)
    im = pillow("rgba8_interlaced.png")
    assert im.info.get("interlace") == 1
    record("rgba8_interlaced.png", np.array(im), 8, note="Adam7")

    vals = rng.integers(0, 16, (H, W, 1))
    write_png(OUT / "gray4_interlaced.png", vals, 4, 0, interlace=True)
    record("gray4_interlaced.png", np.array(pillow("gray4_interlaced.png")), 8, note="Adam7, 4-bit gray")

    # ------------------------------------------------------------ JPEGs
    smooth = smooth_rgb()
    from_np(smooth[:, :, 1], "L").save(OUT / "gray.jpg", quality=90)
    record("gray.jpg", np.array(pillow("gray.jpg")), 8, note="baseline gray")

    from_np(smooth, "RGB").save(OUT / "rgb.jpg", quality=90)
    record("rgb.jpg", np.array(pillow("rgb.jpg")), 8, note="baseline YCbCr 4:2:0")

    from_np(smooth, "RGB").save(OUT / "progressive.jpg", quality=90, progressive=True)
    im = pillow("progressive.jpg")
    assert im.info.get("progressive") or im.info.get("progression")
    record("progressive.jpg", np.array(im), 8, note="progressive")

    for orientation in (6, 3):
        exif = Image.Exif()
        exif[0x0112] = orientation
        name = f"exif{orientation}.jpg"
        from_np(smooth, "RGB").save(OUT / name, quality=90, exif=exif.tobytes())
        up = ImageOps.exif_transpose(pillow(name))
        record(name, np.array(up), 8, note=f"EXIF orientation {orientation}, after exif_transpose")

    cmyk = Image.new("CMYK", (W, H), (10, 20, 30, 40))
    cmyk.save(OUT / "cmyk.jpg", quality=90)

    import PIL
    manifest = {"generator": "Tools/make_image_fixtures.py", "pillow": PIL.__version__, "fixtures": fixtures}
    (OUT / "expected.json").write_text(json.dumps(manifest, separators=(",", ":")) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(fixtures)} fixtures + cmyk.jpg to {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
