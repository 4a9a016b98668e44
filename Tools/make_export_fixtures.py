#!/usr/bin/env python3
"""Writes Tests/Fixtures/export/: two tiny trained models (depth 2, width 4), their ONNX exports
and onnxruntime's outputs for a fixed input, so that Swift tests check the ONNX files'
structure, that exporting again gives the same bytes, and that `unet`'s logits match
onnxruntime's, all without Python.

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

import numpy as np
import onnxruntime as ort

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "Fixtures" / "export"
MODELS = {
    "residual-transposed": ["--block", "residual", "--upsampling", "transposed"],
    "preact-nearest": ["--block", "preact", "--upsampling", "nearest"],
}


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
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    # Normalised input, batch 2, 52×60 (valid for both: 44 + 4k), output 12×20.
    x = np.random.default_rng(2024).standard_normal((2, 1, 52, 60)).astype(np.float32)
    np.save(OUT / "input.npy", x)
    with tempfile.TemporaryDirectory() as tmp:
        for name, options in MODELS.items():
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


if __name__ == "__main__":
    main()
