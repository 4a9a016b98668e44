#!/usr/bin/env python3
"""Writes Tests/Fixtures/optimizers/optimizers.safetensors: PyTorch's own optimizers
(torch.optim.SGD with weight decay and Nesterov momentum, Adam with L2 weight decay, AdamW with
decoupled decay) run for 6 steps on fixed parameters, gradients and learning rates, as an
oracle independent of this project's update loops (the conformance suite compares two copies of
the same loop; the U-Net replay covers plain SGD with momentum and Adam without decay).

    .venv-bench/bin/python Tools/make_optimizer_fixtures.py   (needs torch and numpy)

Tensors: p0 [37] and p1 [3, 5] (initial parameters), g{k}.p0 / g{k}.p1 (the gradient of step k),
lr [6] (the learning rate of each step), and per case CASE.final.p0 / .p1 plus the optimizer's
state after the last step (CASE.momentum_buffer.pN, CASE.exp_avg.pN, CASE.exp_avg_sq.pN).
The metadata holds each case's hyper-parameters as JSON.
"""
import json
import os
import struct

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests/Fixtures/optimizers/optimizers.safetensors")
STEPS = 6

CASES = {
    "sgd_nesterov_decay": dict(kind="sgd", lr_scale=1.0, momentum=0.9, nesterov=True, weight_decay=0.05),
    "sgd_momentum_decay": dict(kind="sgd", lr_scale=1.0, momentum=0.99, nesterov=False, weight_decay=0.01),
    "sgd_plain_decay": dict(kind="sgd", lr_scale=1.0, momentum=0.0, nesterov=False, weight_decay=0.1),
    "adam_l2_decay": dict(kind="adam", lr_scale=0.1, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.05),
    "adamw_decoupled_decay": dict(kind="adamw", lr_scale=0.1, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.05),
}


def main():
    rng = np.random.default_rng(20261207)
    init = {"p0": rng.standard_normal(37).astype(np.float32), "p1": rng.standard_normal((3, 5)).astype(np.float32)}
    grads = [{k: (rng.standard_normal(v.shape) * (0.5 + k_step)).astype(np.float32) for k, v in init.items()}
             for k_step in range(STEPS)]
    lrs = np.array([0.1, 0.08, 0.05, 0.05, 0.02, 0.01], dtype=np.float32)
    tensors = {"lr": lrs, **init}
    for k, g in enumerate(grads):
        for name, value in g.items():
            tensors[f"g{k}.{name}"] = value
    for case, h in CASES.items():
        params = {name: torch.tensor(value, requires_grad=True) for name, value in init.items()}
        ordered = [params["p0"], params["p1"]]
        if h["kind"] == "sgd":
            opt = torch.optim.SGD(ordered, lr=1.0, momentum=h["momentum"], nesterov=h["nesterov"], weight_decay=h["weight_decay"],
                                  foreach=False)
        elif h["kind"] == "adam":
            opt = torch.optim.Adam(ordered, lr=1.0, betas=h["betas"], eps=h["eps"], weight_decay=h["weight_decay"], foreach=False)
        else:
            opt = torch.optim.AdamW(ordered, lr=1.0, betas=h["betas"], eps=h["eps"], weight_decay=h["weight_decay"], foreach=False)
        for k in range(STEPS):
            for group in opt.param_groups:
                group["lr"] = float(lrs[k]) * h["lr_scale"]
            for name, p in params.items():
                p.grad = torch.tensor(grads[k][name])
            opt.step()
        for name, p in params.items():
            tensors[f"{case}.final.{name}"] = p.detach().numpy().astype(np.float32)
            for key, value in opt.state[p].items():
                if key != "step":
                    tensors[f"{case}.{key}.{name}"] = value.detach().numpy().astype(np.float32)
    metadata = {"generator": "Tools/make_optimizer_fixtures.py", "torch_version": torch.__version__.split("+")[0],
                "steps": str(STEPS), "cases": json.dumps(CASES, sort_keys=True)}
    write(OUT, tensors, metadata)
    print(f"wrote {OUT}: {len(tensors)} tensors, {os.path.getsize(OUT)} bytes")


def write(path, tensors, metadata):
    """Canonical safetensors: compact JSON header with sorted keys, space-padded to 8 bytes."""
    header, data, offset = {"__metadata__": metadata}, [], 0
    for key in sorted(tensors):
        raw = np.ascontiguousarray(tensors[key], dtype="<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(np.shape(tensors[key])), "data_offsets": [offset, offset + len(raw)]}
        data.append(raw)
        offset += len(raw)
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(data))


if __name__ == "__main__":
    main()
