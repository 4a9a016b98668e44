#!/usr/bin/env python3
"""Writes Tests/Fixtures/export/: tiny trained models (depth 2, width 4), their ONNX exports
and onnxruntime's outputs for a fixed input, so that Swift tests check the ONNX files'
structure, that exporting again gives the same bytes, and that `unet`'s logits match
onnxruntime's, all without Python. Two models on the committed input.npy; then the variants
(plain and bottleneck blocks, same padding, 3 classes, 3 input channels, --softmax), each with
its own input (NAME.input.npy).

    Tools/make_export_fixtures.py [--unet .build/debug/unet]

Needs numpy and onnxruntime (Tools/check_export.py creates .venv-export with them).
Each model: NAME.safetensors (weights and model metadata; optimizer and run state dropped),
NAME.onnx (`unet export --format onnx`), NAME.ort.npy (onnxruntime on input.npy).
"""
import argparse
import json
import struct
import subprocess
import tempfile
from pathlib import Path

import zlib

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "export"
MODELS = {
    "residual-transposed": ["--block", "residual", "--upsampling", "transposed"],
    "preact-nearest": ["--block", "preact", "--upsampling", "nearest"],
}

# name: (dataset, train options, export options, input shape [N, C, H, W]); sides valid for the
# network (bottleneck blocks lose fewer pixels: 18 + 4k at depth 2).
VARIANTS = {
    "plain-softmax": ("gray", ["--block", "plain", "--upsampling", "transposed", "--patch-size", "64"], ["--softmax"], (2, 1, 52, 60)),
    "bottleneck-3class": ("classes3", ["--block", "bottleneck", "--upsampling", "nearest", "--patch-size", "66"], [], (1, 1, 50, 58)),
    "same-rgb": ("rgb", ["--block", "residual", "--padding", "same", "--upsampling", "transposed", "--patch-size", "64"], [],
                 (2, 3, 40, 36)),
}


def png(path, pixels):
    """An 8-bit PNG (gray for [H, W], RGB for [H, W, 3]) without any imaging library."""
    pixels = np.asarray(pixels, dtype=np.uint8)
    h, w = pixels.shape[:2]
    colour = 2 if pixels.ndim == 3 else 0
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(h))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def dataset(kind, root):
    """The sample EM data for "gray"; otherwise 6 synthetic 80×80 images with discs of classes 1
    and 2 (class indices as mask values), gray for "classes3", RGB for "rgb"."""
    if kind == "gray":
        return ROOT / "Data" / "isbi2012-em"
    rng = np.random.default_rng(11)
    (root / "images").mkdir(parents=True)
    (root / "masks").mkdir()
    yy, xx = np.mgrid[0:80, 0:80]
    for k in range(6):
        mask = np.zeros((80, 80), np.uint8)
        for cls in (1, 2):
            cy, cx = rng.integers(10, 70, 2)
            mask[(yy - cy) ** 2 + (xx - cx) ** 2 < 120] = cls
        base = 40 + 80 * mask + rng.integers(0, 30, (80, 80))
        image = np.stack([base, 255 - base, (base * 2) % 256], axis=-1) if kind == "rgb" else base
        png(root / "images" / f"s{k}.png", image)
        png(root / "masks" / f"s{k}.png", mask)
    return root


def inference_checkpoint(source, target):
    """Copies a safetensors checkpoint without `optimizer.*` tensors and with only the
    `format` and `unet.model` metadata (a model to run, not a run to resume)."""
    data = source.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    metadata = header.pop("__metadata__")
    kept, chunks, offset = {}, [], 0
    for name in sorted(header):
        if name.startswith("optimizer."):
            continue
        entry = header[name]
        start, end = entry["data_offsets"]
        chunks.append(body[start:end])
        kept[name] = dict(entry, data_offsets=[offset, offset + end - start])
        offset += end - start
    kept["__metadata__"] = {k: metadata[k] for k in ("format", "unet.model")}
    text = json.dumps(kept, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    target.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unet", default=str(ROOT / ".build" / "debug" / "unet"))
    parser.add_argument("--variants-only", action="store_true", help="write only the variants (keep the two models and input.npy)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    # Normalised input, batch 2, 52×60 (valid for both: 44 + 4k), output 12×20.
    x = np.random.default_rng(2024).standard_normal((2, 1, 52, 60)).astype(np.float32)
    if not args.variants_only:
        np.save(OUT / "input.npy", x)
    with tempfile.TemporaryDirectory() as tmp:
        for name, options in ({} if args.variants_only else MODELS).items():
            run = Path(tmp) / name
            subprocess.run([args.unet, "train", "--out", str(run), "--depth", "2", "--width", "4", "--steps", "4",
                            "--batch-size", "2", "--patch-size", "96", "--threads", "2", "--seed", "7", *options],
                           check=True, capture_output=True)
            inference_checkpoint(run / "last.safetensors", OUT / f"{name}.safetensors")
            subprocess.run([args.unet, "export", "--model", str(OUT / f"{name}.safetensors"), "--format", "onnx",
                            "--out", str(OUT / f"{name}.onnx")], check=True, capture_output=True)
            session = ort.InferenceSession(str(OUT / f"{name}.onnx"), providers=["CPUExecutionProvider"])
            np.save(OUT / f"{name}.ort.npy", session.run(None, {"input": x})[0].astype(np.float32))
            print(f"wrote {name}: .safetensors, .onnx, .ort.npy")
        for name, (kind, options, export, shape) in VARIANTS.items():
            data, run = dataset(kind, Path(tmp) / f"data-{name}"), Path(tmp) / name
            subprocess.run([args.unet, "train", "--data", str(data), "--out", str(run), "--depth", "2", "--width", "4", "--steps", "4",
                            "--batch-size", "2", "--threads", "2", "--seed", "7", "--val-fraction", "0",
                            "--no-plan", *options], check=True, capture_output=True)
            inference_checkpoint(run / "last.safetensors", OUT / f"{name}.safetensors")
            subprocess.run([args.unet, "export", "--model", str(OUT / f"{name}.safetensors"), "--format", "onnx",
                            "--out", str(OUT / f"{name}.onnx"), *export], check=True, capture_output=True)
            xv = np.random.default_rng(7).standard_normal(shape).astype(np.float32)
            np.save(OUT / f"{name}.input.npy", xv)
            session = ort.InferenceSession(str(OUT / f"{name}.onnx"), providers=["CPUExecutionProvider"])
            np.save(OUT / f"{name}.ort.npy", session.run(None, {"input": xv})[0].astype(np.float32))
            print(f"wrote {name}: .safetensors, .onnx, .input.npy, .ort.npy")


if __name__ == "__main__":
    main()
