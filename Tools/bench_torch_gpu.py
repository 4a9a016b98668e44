#!/usr/bin/env python3
"""PyTorch on an NVIDIA GPU: the reference side of the GPU benchmark in Tools/gpu/check.

The same network as `unet bench` (the mirror in Tools/make_unet_fixtures.py: same blocks, crops,
widths), on synthetic data, for the issue's two configurations:

  A  the paper's: depth 4, width 64, valid, residual blocks, 1 -> 2 channels, 572^2 -> 388^2, batch 8
  B  small:       depth 4, width 16, valid, residual blocks, 1 -> 2 channels, 316^2 -> 132^2, batch 32

and three precisions:

  fp32  cuDNN and matmul TF32 off, NCHW
  tf32  TF32 allowed in cuDNN and matmul, NCHW
  bf16  torch.autocast(bfloat16) with fp32 master weights, channels-last (PyTorch's fast path)

cudnn.benchmark is on (PyTorch's per-shape algorithm search, as `unet` searches per shape).
Training step: forward, F.cross_entropy, backward, Adam(lr 1e-3), zero_grad; inference:
eval mode under torch.inference_mode(). Each is timed per step with a device synchronisation
(median of --steps after --warmup). Throughput is output megapixels per second
(batch * out^2 / step time). Peak memory is torch.cuda.max_memory_allocated (tensors) and
max_memory_reserved (what the caching allocator held from the GPU), reset before each measure.
Prints one JSON object per line (--json) or a table.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from make_unet_fixtures import UNet, output_size  # noqa: E402  (the mirror of Sources/NN)

CONFIGS = {
    "A": dict(width=64, size=572, batch=8),
    "B": dict(width=16, size=316, batch=32),
}


def network(width):
    return {"depth": 4, "baseWidth": width, "widthMultiplier": 2.0, "inputChannels": 1, "classes": 2,
            "block": "residual", "batchNorm": True, "padding": "valid", "upsampling": "transposed"}


def set_precision(precision):
    tf32 = precision == "tf32"
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.benchmark = True


def timed(fn, warmup, steps):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    samples = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        samples.append((time.perf_counter() - t0) * 1e3)
    return samples


def measure(name, precision, warmup, steps, seed=0):
    cfg = CONFIGS[name]
    c = network(cfg["width"])
    out = output_size(c, cfg["size"])
    set_precision(precision)
    torch.manual_seed(seed)
    dev = torch.device("cuda")
    memory_format = torch.channels_last if precision == "bf16" else torch.contiguous_format
    model = UNet(c).to(dev).to(memory_format=memory_format)
    x = torch.randn(cfg["batch"], 1, cfg["size"], cfg["size"], device=dev).contiguous(memory_format=memory_format)
    t = torch.randint(0, 2, (cfg["batch"], out, out), device=dev)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=precision == "bf16")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step():
        with autocast:
            loss = F.cross_entropy(model(x), t)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    train = timed(step, warmup, steps)
    train_alloc, train_reserved = torch.cuda.max_memory_allocated(), torch.cuda.max_memory_reserved()
    del opt
    for p in model.parameters():
        p.grad = None
    model.eval()

    def infer():
        with torch.inference_mode(), autocast:
            model(x)

    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    inference = timed(infer, warmup, steps)
    infer_alloc, infer_reserved = torch.cuda.max_memory_allocated(), torch.cuda.max_memory_reserved()
    mpix = cfg["batch"] * out * out / 1e6
    r = {
        "implementation": f"PyTorch {torch.__version__} (CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()})",
        "device": torch.cuda.get_device_name(0), "config": name, "batch": cfg["batch"], "size": cfg["size"], "output_size": out,
        "precision": precision, "memory_format": "channels_last" if precision == "bf16" else "NCHW",
        "train_step_ms": statistics.median(train), "train_step_min_ms": min(train), "train_step_max_ms": max(train),
        "infer_ms": statistics.median(inference), "infer_min_ms": min(inference), "infer_max_ms": max(inference),
        "train_mpix_s": mpix / (statistics.median(train) / 1e3), "infer_mpix_s": mpix / (statistics.median(inference) / 1e3),
        "peak_train_allocated_mib": train_alloc / 2**20, "peak_train_reserved_mib": train_reserved / 2**20,
        "peak_infer_allocated_mib": infer_alloc / 2**20, "peak_infer_reserved_mib": infer_reserved / 2**20,
    }
    del model, x, t
    torch.cuda.empty_cache()
    return r


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--configs", default="A,B")
    p.add_argument("--precisions", default="fp32,tf32,bf16")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if not torch.cuda.is_available():
        sys.exit("bench_torch_gpu.py: PyTorch sees no CUDA device")
    for name in a.configs.split(","):
        for precision in a.precisions.split(","):
            r = measure(name, precision, a.warmup, a.steps)
            if a.json:
                print(json.dumps(r), flush=True)
            else:
                print(f"{name} b{r['batch']} {precision:4}  train {r['train_step_ms']:7.1f} ms ({r['train_mpix_s']:6.1f} MPix/s)  "
                      f"infer {r['infer_ms']:7.1f} ms ({r['infer_mpix_s']:6.1f} MPix/s)  "
                      f"peak {r['peak_train_reserved_mib']:.0f}/{r['peak_infer_reserved_mib']:.0f} MiB", flush=True)


if __name__ == "__main__":
    main()
