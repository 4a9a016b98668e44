#!/usr/bin/env python3
"""Proves a safetensors file opens in Python: loads it with `safetensors.torch.load_file`
(PyTorch) and with `safetensors.safe_open`, then prints metadata and each tensor's
name, dtype and shape. Exits non-zero if either load fails.

    python3 Tools/check_safetensors_readable.py FILE [FILE ...]
"""
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file


def check(path):
    tensors = load_file(path)
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata() or {}
        keys = sorted(f.keys())
    assert keys == sorted(tensors), f"{path}: safe_open and load_file disagree on names"
    print(f"{path}: {len(tensors)} tensors")
    for key in sorted(metadata):
        print(f"  metadata {key} = {metadata[key]!r}")
    for name in keys:
        t = tensors[name]
        finite = bool(torch.isfinite(t).all()) if t.is_floating_point() else True
        print(f"  {name}: {str(t.dtype).replace('torch.', '')} {list(t.shape)}" + ("" if finite else " (non-finite values)"))


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    failed = 0
    for path in argv[1:]:
        try:
            check(path)
        except Exception as e:  # report and keep going
            print(f"{path}: FAILED: {type(e).__name__}: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
