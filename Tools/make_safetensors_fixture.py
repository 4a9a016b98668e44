#!/usr/bin/env python3
"""Writes Tests/Fixtures/safetensors/python_written.safetensors with Python's
`safetensors` library, for SafeTensorsTests.testReadsFileWrittenByPython.

Run from the repository root with a Python that has numpy and safetensors:
    python3 Tools/make_safetensors_fixture.py

Contents (all values exact in their dtype; the Swift test hard-codes them):
    __metadata__: {"format": "pt", "note": "unet fixture"}
    "weight"  F32 [2, 3]  = [[0.5, -1.25, 2.0], [3.5, -0.0078125, 1e6]]
    "bias"    F64 [3]     = [0.1, -0.2, 0.3]
    "half"    F16 [4]     = [1.0, -2.5, 0.000061035156 (2**-14), 65504.0]
    "steps"   I64 []      = 42            (scalar)
    "index"   I32 [2, 2]  = [[-1, 2], [3, -4]]
    "mask"    U8  [5]     = [0, 1, 127, 128, 255]
    "flags"   BOOL [3]    = [True, False, True]
    "empty"   F32 [0, 4]  = (no elements)
"""
import os

import numpy as np
from safetensors.numpy import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "safetensors", "python_written.safetensors")

tensors = {
    "weight": np.array([[0.5, -1.25, 2.0], [3.5, -0.0078125, 1e6]], dtype=np.float32),
    "bias": np.array([0.1, -0.2, 0.3], dtype=np.float64),
    "half": np.array([1.0, -2.5, 2.0 ** -14, 65504.0], dtype=np.float16),
    "steps": np.array(42, dtype=np.int64),
    "index": np.array([[-1, 2], [3, -4]], dtype=np.int32),
    "mask": np.array([0, 1, 127, 128, 255], dtype=np.uint8),
    "flags": np.array([True, False, True], dtype=np.bool_),
    "empty": np.zeros((0, 4), dtype=np.float32),
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
save_file(tensors, OUT, metadata={"format": "pt", "note": "unet fixture"})
print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")
