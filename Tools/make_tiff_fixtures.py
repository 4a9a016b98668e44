#!/usr/bin/env python3
"""Writes the TIFF decoder fixtures in Tests/Fixtures/images/tiff/ and their expected samples.

Run from the repository root:  python3 Tools/make_tiff_fixtures.py
Needs numpy, tifffile and imagecodecs (tifffile's LZW, Deflate, PackBits and Zstandard coders):
  pip install numpy tifffile imagecodecs

What it writes (odd sizes on purpose; tiled ones span several 16x16 tiles with partial edge tiles):
  * readable TIFFs covering 8/16-bit unsigned and 32-bit float samples; gray, gray+alpha, RGB,
    RGBA; chunky and planar; strips and tiles; uncompressed, LZW (with the horizontal
    predictor), Deflate (with the float predictor for floats), PackBits; little- and
    big-endian; one BigTIFF; and a 16-bit label image (values below 256) for the mask path;
  * TIFFs the decoder must refuse, each with the words its message must contain: multi-page,
    5 samples per pixel, 2 gray samples without a declared alpha, signed 16-bit, Zstandard, palette, and a float image holding NaN;
  * tiff_expected.json: for every readable fixture the samples tifffile wrote (interleaved,
    row-major), so the Swift tests compare sample for sample without Python.
  * three tiny datasets in Tests/Fixtures/tiff-datasets/ (images/ and masks/, 40x40, a bright
    disk on a noisy background) for the end-to-end tests of the built tool:
    gray8-striped (8-bit gray in strips, 8-bit TIFF masks 0/1), gray16-tiled (16-bit gray in
    16x16 tiles, Deflate, dim and varying in brightness from image to image; 16-bit TIFF label
    masks 0/1/2), rgb8 (8-bit RGB, planar, LZW; 8-bit TIFF masks 0/255).
"""

import json
from pathlib import Path

import imagecodecs
import numpy as np
import tifffile

OUT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "images" / "tiff"
DATASETS = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "tiff-datasets"
rng = np.random.default_rng(20261127)


def ramp(h, w, c, dtype):
    """A gradient plus noise, so that every sample differs and predictors have work to do."""
    y, x, ch = np.meshgrid(np.arange(h), np.arange(w), np.arange(c), indexing="ij")
    if dtype == np.float32:
        return (x / w - 0.3 * y / h + 0.25 * ch + rng.normal(0, 0.05, (h, w, c))).astype(np.float32)
    top = np.iinfo(dtype).max
    base = (x * 7 + y * 13 + ch * 61) * (top // 255) // 4
    return ((base + rng.integers(0, top // 8, (h, w, c))) % (top + 1)).astype(dtype)


READABLE = [
    # name, height, width, channels, dtype, options
    ("gray8_strips.tif", 13, 19, 1, np.uint8, dict(rowsperstrip=4)),
    ("gray8_lzw.tif", 13, 19, 1, np.uint8, dict(compression="lzw", predictor=True, rowsperstrip=5)),
    ("gray16_tiled_deflate.tif", 21, 37, 1, np.uint16, dict(tile=(16, 16), compression="zlib")),
    ("gray16_bigendian_packbits.tif", 13, 19, 1, np.uint16, dict(byteorder=">", compression="packbits", rowsperstrip=3)),
    ("gray_alpha8.tif", 13, 19, 2, np.uint8, dict(photometric="minisblack", extrasamples=["unassalpha"])),
    ("rgb8_packbits.tif", 13, 19, 3, np.uint8, dict(photometric="rgb", compression="packbits", rowsperstrip=6)),
    ("rgb8_tiled.tif", 21, 37, 3, np.uint8, dict(photometric="rgb", tile=(16, 16))),
    ("rgb16_planar_lzw.tif", 13, 19, 3, np.uint16, dict(photometric="rgb", planarconfig="separate", compression="lzw", rowsperstrip=4)),
    ("rgba8_tiled_planar_deflate.tif", 21, 37, 4, np.uint8, dict(photometric="rgb", planarconfig="separate", tile=(16, 16), compression="zlib", extrasamples=["unassalpha"])),
    ("float32_deflate.tif", 13, 19, 1, np.float32, dict(compression="zlib", predictor=True)),
    ("float32_rgb_tiled.tif", 21, 37, 3, np.float32, dict(photometric="rgb", tile=(16, 16))),
    ("gray16_bigtiff.tif", 13, 19, 1, np.uint16, dict(bigtiff=True, compression="lzw")),
]


def write(name, data, **options):
    tifffile.imwrite(OUT / name, data, metadata=None, **options)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    expected = []
    for name, h, w, c, dtype, options in READABLE:
        data = ramp(h, w, c, dtype)
        stored = data if c > 1 or options.get("photometric") else data[:, :, 0]
        if options.get("planarconfig") == "separate":
            stored = np.moveaxis(data, 2, 0)
        write(name, stored, **options)
        back = tifffile.imread(OUT / name)
        if options.get("planarconfig") == "separate":
            back = np.moveaxis(back, 0, 2)
        back = back.reshape(h, w, c)
        assert np.array_equal(back, data), name
        kind = {np.uint8: "uint8", np.uint16: "uint16", np.float32: "float32"}[dtype]
        expected.append(dict(file=name, width=w, height=h, channels=c, sampleType=kind,
                             tiled="tile" in options, planar=options.get("planarconfig") == "separate",
                             samples=[float(v) if dtype == np.float32 else int(v) for v in back.ravel()]))

    # A 16-bit label image: classes 0..2 in blocks, for the mask path.
    labels = np.zeros((13, 19), np.uint16)
    labels[3:9, 4:12] = 1
    labels[9:, 14:] = 2
    write("labels16.tif", labels, compression="zlib")
    expected.append(dict(file="labels16.tif", width=19, height=13, channels=1, sampleType="uint16",
                         tiled=False, planar=False, samples=[int(v) for v in labels.ravel()]))

    refused = []
    pages = ramp(3, 13, 19, np.uint8).reshape(3, 13, 19)
    write("multipage3.tif", pages, photometric="minisblack")
    refused.append(dict(file="multipage3.tif", message="multi-page TIFF (3 pages)"))
    write("five_samples.tif", ramp(13, 19, 5, np.uint8), photometric="minisblack", planarconfig="contig")
    refused.append(dict(file="five_samples.tif", message="5 samples per pixel"))
    write("int16.tif", ramp(13, 19, 1, np.uint16)[:, :, 0].astype(np.int16))
    refused.append(dict(file="int16.tif", message="16-bit signed integer samples"))
    write("zstd.tif", ramp(13, 19, 1, np.uint8)[:, :, 0], compression="zstd")
    refused.append(dict(file="zstd.tif", message="compression 50000 (Zstandard)"))
    palette = np.zeros((3, 256), np.uint16)
    palette[0, :] = np.arange(256) * 257
    write("palette8.tif", ramp(13, 19, 1, np.uint8)[:, :, 0], photometric="palette", colormap=palette)
    refused.append(dict(file="palette8.tif", message="palette TIFF"))
    with_nan = ramp(13, 19, 1, np.float32)[:, :, 0]
    with_nan[5, 7] = np.nan
    write("float32_nan.tif", with_nan)
    refused.append(dict(file="float32_nan.tif", message="the float TIFF holds NaN at pixel (7, 5)"))
    write("two_channels.tif", ramp(13, 19, 2, np.uint16), photometric="minisblack", planarconfig="contig",
          extrasamples=["unspecified"])
    refused.append(dict(file="two_channels.tif", message="gray with 2 samples per pixel and no alpha declared"))

    manifest = dict(generator="Tools/make_tiff_fixtures.py", tifffile=tifffile.__version__,
                    imagecodecs=imagecodecs.__version__, fixtures=expected, refused=refused)
    (OUT / "tiff_expected.json").write_text(json.dumps(manifest, separators=(",", ":")) + "\n")
    print(f"wrote {len(expected)} readable and {len(refused)} refused fixtures to {OUT}")


def disk_sample(size, seed):
    """A disk (class 1) with a smaller one beside it (class 2) on a noisy background."""
    r = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    cx, cy = r.integers(12, size - 12, 2)
    disk = (x - cx) ** 2 + (y - cy) ** 2 < 64
    small = ((x - (size - 1 - cx)) ** 2 + (y - (size - 1 - cy)) ** 2 < 16) & ~disk
    labels = np.where(disk, 1, np.where(small, 2, 0))
    noise = r.random((size, size))
    return labels, noise


def write_datasets():
    for name in ["gray8-striped", "gray16-tiled", "rgb8"]:
        for sub in ["images", "masks"]:
            (DATASETS / name / sub).mkdir(parents=True, exist_ok=True)
    for i in range(3):
        labels, noise = disk_sample(40, 100 + i)
        binary = labels > 0
        gray8 = np.where(binary, 190, 40 + noise * 40).astype(np.uint8)
        tifffile.imwrite(DATASETS / "gray8-striped/images" / f"cell{i}.tif", gray8, rowsperstrip=7, metadata=None)
        tifffile.imwrite(DATASETS / "gray8-striped/masks" / f"cell{i}.tif", binary.astype(np.uint8), metadata=None)
        # Dim 16-bit images whose brightness differs from image to image (as microscopy does).
        gain = [1.0, 2.5, 0.6][i]
        gray16 = (gain * np.where(labels == 1, 9000, np.where(labels == 2, 5000, 1500 + noise * 1500))).astype(np.uint16)
        tifffile.imwrite(DATASETS / "gray16-tiled/images" / f"cell{i}.tif", gray16, tile=(16, 16), compression="zlib", metadata=None)
        tifffile.imwrite(DATASETS / "gray16-tiled/masks" / f"cell{i}.tif", labels.astype(np.uint16), compression="zlib", metadata=None)
        rgb = np.stack([np.where(binary, 200, 30 + noise * 50), np.where(binary, 60, 80 + noise * 30),
                        np.where(binary, 90, 50 + noise * 60)], axis=0).astype(np.uint8)
        tifffile.imwrite(DATASETS / "rgb8/images" / f"cell{i}.tif", rgb, photometric="rgb", planarconfig="separate",
                         compression="lzw", metadata=None)
        tifffile.imwrite(DATASETS / "rgb8/masks" / f"cell{i}.tif", (binary * 255).astype(np.uint8), metadata=None)
    print(f"wrote 3 datasets of 3 images to {DATASETS}")


if __name__ == "__main__":
    main()
    write_datasets()
