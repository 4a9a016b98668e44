#!/usr/bin/env python3
"""PyTorch reference fixtures for the Swift tensor-op tests.

Writes one small safetensors file per case into Tests/Fixtures/ops/<case>.safetensors
and regenerates Tests/Fixtures/ops/README.md (formulas + every case's tensors).

How to run (from anywhere):
    python3 Tools/make_op_fixtures.py            # uses this python if it has torch,
                                                 # numpy and safetensors; otherwise creates
                                                 # .venv at the repo root, pip-installs
                                                 # `torch numpy safetensors` from PyPI into it
                                                 # and re-runs itself there
    /path/to/python Tools/make_op_fixtures.py    # any python that has the three packages

Conventions (the Swift tests rely on them):
  * every tensor is float32 little-endian, except class targets `target` (int64);
  * inputs are drawn with a per-case seed (torch.manual_seed(crc32(case name))),
    rounded to float32, and the op and its gradients are computed in float64 on CPU
    with torch autograd from those exact float32 values, then stored as float32;
  * names: inputs `x` (N,C,H,W), `w`, `b`, upstream gradient `dy` (shape of `y`),
    output `y`, gradients `dx`, `dw`, `db` (plus per-op names listed in the README);
  * `__metadata__` holds `op` and the op's parameters as strings ("1"/"0" for booleans),
    plus `generator` and `torch_version`.
"""
import json
import os
import struct
import subprocess
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "Tests", "Fixtures", "ops")


def ensure_dependencies():
    """Re-runs this script under .venv (created on demand) unless this python has the packages."""
    try:
        import numpy  # noqa: F401
        import safetensors  # noqa: F401
        import torch  # noqa: F401
        return
    except ImportError:
        pass
    venv = os.path.join(ROOT, ".venv")
    venv_python = os.path.join(venv, "bin", "python")
    if os.path.abspath(sys.executable) == os.path.abspath(venv_python):
        sys.exit("make_op_fixtures: .venv exists but lacks torch/numpy/safetensors; delete .venv and retry")
    if not os.path.exists(venv_python):
        print(f"make_op_fixtures: creating {venv}", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    subprocess.check_call([venv_python, "-m", "pip", "install", "--quiet", "torch", "numpy", "safetensors"])
    os.execv(venv_python, [venv_python, os.path.abspath(__file__)] + sys.argv[1:])


ensure_dependencies()

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.torch import load_file  # noqa: E402

torch.set_default_dtype(torch.float64)
CASES = []  # (name, metadata, tensors) in generation order, for the README


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def f32(t):
    """Rounds to float32 and back, so the float64 computation uses exactly the stored inputs."""
    return t.detach().to(torch.float32).to(torch.float64)


def randn(*shape, scale=1.0):
    return f32(torch.randn(*shape) * scale)


def leaf(t):
    return t.clone().requires_grad_(True)


def flag(b):
    return "1" if b else "0"


def save(name, metadata, tensors):
    out = {}
    for key, t in tensors.items():
        t = t.detach()
        out[key] = (t.to(torch.int64) if key == "target" else t.to(torch.float32)).contiguous()
    meta = {k: str(v) for k, v in metadata.items()}
    meta["generator"] = "Tools/make_op_fixtures.py"
    meta["torch_version"] = torch.__version__.split("+")[0]
    path = os.path.join(OUT_DIR, name + ".safetensors")
    write_canonical(path, out, meta)
    loaded = load_file(path)  # the safetensors library must read back exactly what we wrote
    assert sorted(loaded) == sorted(out) and all(torch.equal(loaded[k], out[k]) for k in out), name
    size = os.path.getsize(path)
    assert size < 100 * 1024, f"{name} is {size} bytes"
    CASES.append((name, meta, out))


def write_canonical(path, tensors, metadata):
    """Byte-deterministic safetensors (safetensors.save_file orders __metadata__ keys
    randomly): compact JSON header with sorted keys, space-padded to 8 bytes, data in
    sorted name order -- the same canonical form as Swift's SafeTensorsFile.serialized()."""
    header, data, offset = {"__metadata__": metadata}, [], 0
    for key in sorted(tensors):
        t = tensors[key]
        raw = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        header[key] = {"data_offsets": [offset, offset + len(raw)], "dtype": dtype, "shape": list(t.shape)}
        data.append(raw)
        offset += len(raw)
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-(8 + len(text)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(data))


# 1. conv2d ------------------------------------------------------------------
def conv2d_case(name, n, cin, cout, h, w, k, stride, padding, bias):
    seed(name)
    x = leaf(randn(n, cin, h, w))
    wt = leaf(randn(cout, cin, k, k, scale=(cin * k * k) ** -0.5))
    b = leaf(randn(cout)) if bias else None
    y = F.conv2d(x, wt, b, stride=stride, padding=padding)
    dy = randn(*y.shape)
    y.backward(dy)
    tensors = {"x": x, "w": wt, "dy": dy, "y": y, "dx": x.grad, "dw": wt.grad}
    if bias:
        tensors.update(b=b, db=b.grad)
    save(name, {"op": "conv2d", "stride": stride, "padding": padding, "has_bias": flag(bias)}, tensors)


# 2. conv_transpose2d (weight (Cin, Cout, kh, kw)) -----------------------------
def deconv_case(name, n, cin, cout, h, w, k, stride, padding, bias):
    seed(name)
    x = leaf(randn(n, cin, h, w))
    wt = leaf(randn(cin, cout, k, k, scale=(cin * k * k / (stride * stride)) ** -0.5))
    b = leaf(randn(cout)) if bias else None
    y = F.conv_transpose2d(x, wt, b, stride=stride, padding=padding)
    dy = randn(*y.shape)
    y.backward(dy)
    tensors = {"x": x, "w": wt, "dy": dy, "y": y, "dx": x.grad, "dw": wt.grad}
    if bias:
        tensors.update(b=b, db=b.grad)
    save(name, {"op": "conv_transpose2d", "stride": stride, "padding": padding, "has_bias": flag(bias)}, tensors)


# 3. batch_norm ----------------------------------------------------------------
def bn_case(name, n, c, h, w, training):
    seed(name)
    x = leaf(f32(torch.randn(n, c, h, w) * 1.5 + 0.5))
    gamma = leaf(f32(1 + 0.3 * torch.randn(c)))
    beta = leaf(randn(c, scale=0.5))
    mean_in = randn(c, scale=0.3)
    var_in = f32(0.5 + torch.rand(c))
    mean_out, var_out = mean_in.clone(), var_in.clone()
    y = F.batch_norm(x, mean_out, var_out, weight=gamma, bias=beta, training=training, momentum=0.1, eps=1e-5)
    dy = randn(*y.shape)
    y.backward(dy)
    tensors = {"x": x, "gamma": gamma, "beta": beta, "running_mean_in": mean_in, "running_var_in": var_in,
               "dy": dy, "y": y, "dx": x.grad, "dgamma": gamma.grad, "dbeta": beta.grad}
    if training:
        # Independent check of PyTorch's update rule (unbiased variance for running_var).
        m = n * h * w
        bm, bv = x.detach().mean((0, 2, 3)), x.detach().var((0, 2, 3), unbiased=False)
        assert torch.allclose(mean_out, 0.9 * mean_in + 0.1 * bm)
        assert torch.allclose(var_out, 0.9 * var_in + 0.1 * bv * m / (m - 1))
        tensors.update(running_mean_out=mean_out, running_var_out=var_out)
    save(name, {"op": "batch_norm", "training": flag(training), "momentum": "0.1", "eps": "1e-05"}, tensors)


# 4. relu / leaky_relu -----------------------------------------------------------
def away_from_zero(t, margin=0.01):
    return f32(torch.sign(t) * (t.abs() + margin))


def activation_case(name, op, slope=None):
    seed(name)
    x = leaf(away_from_zero(torch.randn(2, 3, 4, 5)))
    y = F.relu(x) if slope is None else F.leaky_relu(x, slope)
    dy = randn(*y.shape)
    y.backward(dy)
    meta = {"op": op}
    if slope is not None:
        meta["slope"] = slope
    save(name, meta, {"x": x, "dy": dy, "y": y, "dx": x.grad})


# 5./6. pooling ----------------------------------------------------------------------
def distinct_values(*shape):
    """A scaled random permutation: no ties, so max-pool gradients are unambiguous."""
    count = 1
    for s in shape:
        count *= s
    return f32((torch.randperm(count).to(torch.float64) / count * 4 - 2).reshape(shape))


def pool_case(name, op, n, c, h, w, ceil_mode):
    seed(name)
    x = leaf(distinct_values(n, c, h, w))
    if op == "max_pool2d":
        y = F.max_pool2d(x, 2, 2, ceil_mode=ceil_mode)
    else:
        y = F.avg_pool2d(x, 2, 2, ceil_mode=ceil_mode)
        if ceil_mode and (h % 2 or w % 2):
            # Windows hanging off the edge are divided by their in-bounds count.
            corner = x.detach()[:, :, (h - 1) // 2 * 2:, (w - 1) // 2 * 2:].mean((2, 3))
            assert torch.allclose(y.detach()[:, :, -1, -1], corner)
    dy = randn(*y.shape)
    y.backward(dy)
    meta = {"op": op, "kernel": 2, "stride": 2, "ceil_mode": flag(ceil_mode)}
    if op == "avg_pool2d":
        meta["count_include_pad"] = "1"
    save(name, meta, {"x": x, "dy": dy, "y": y, "dx": x.grad})


# 7. softmax over channels -------------------------------------------------------------
def softmax_case(name):
    seed(name)
    x = leaf(randn(2, 4, 3, 5, scale=2))
    y = F.softmax(x, dim=1)
    dy = randn(*y.shape)
    y.backward(dy)
    save(name, {"op": "softmax", "dim": 1}, {"x": x, "dy": dy, "y": y, "dx": x.grad})


# 8. weighted cross entropy ------------------------------------------------------------
def ce_case(name, class_weights, pixel_weights):
    seed(name)
    n, c, h, w = 2, 3, 4, 5
    x = leaf(randn(n, c, h, w, scale=2))
    target = torch.randint(0, c, (n, h, w))
    cw = f32(0.5 + 2 * torch.rand(c)) if class_weights else torch.ones(c)
    pw = f32(0.1 + 1.9 * torch.rand(n, h, w)) if pixel_weights else torch.ones(n, h, w)
    nll = -F.log_softmax(x, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
    weight = pw * cw[target]
    loss = (weight * nll).sum() / weight.sum()
    if not pixel_weights:
        reference = F.cross_entropy(x, target, weight=cw if class_weights else None)
        assert torch.allclose(loss, reference)
    loss.backward()
    tensors = {"x": x, "target": target, "loss": loss.reshape(1), "dx": x.grad}
    if class_weights:
        tensors["class_weights"] = cw
    if pixel_weights:
        tensors["pixel_weights"] = pw
    save(name, {"op": "cross_entropy", "has_class_weights": flag(class_weights),
                "has_pixel_weights": flag(pixel_weights)}, tensors)


# 9. soft Dice ------------------------------------------------------------------------
def dice_case(name, eps=1.0):
    seed(name)
    n, c, h, w = 2, 3, 4, 5
    x = leaf(randn(n, c, h, w, scale=2))
    target = torch.randint(0, c, (n, h, w))
    p = F.softmax(x, dim=1)
    g = F.one_hot(target, c).permute(0, 3, 1, 2).to(torch.float64)
    dice = (2 * (p * g).sum((0, 2, 3)) + eps) / (p.sum((0, 2, 3)) + g.sum((0, 2, 3)) + eps)
    loss = 1 - dice.mean()
    loss.backward()
    save(name, {"op": "dice", "eps": "1"}, {"x": x, "target": target, "loss": loss.reshape(1), "dx": x.grad})


# 9b. Lovász-softmax (Berman et al. 2018), written here from the paper's definition ---------
def lovasz_case(name, absent_class=False):
    seed(name)
    n, c, h, w = 2, 3, 4, 5
    x = leaf(randn(n, c, h, w, scale=2))
    high = c - 1 if absent_class else c   # optionally leave the last class out of the targets
    target = torch.randint(0, high, (n, h, w))
    p = F.softmax(x, dim=1).permute(1, 0, 2, 3).reshape(c, -1)
    t = target.reshape(-1)
    losses = []
    for k in range(c):
        fg = (t == k).to(p.dtype)
        if fg.sum() == 0:
            continue
        errors = (fg - p[k]).abs()
        # stable sort: ties keep index order, as the Swift op does
        errors_sorted, perm = torch.sort(errors, descending=True, stable=True)
        fg_sorted = fg[perm]
        g = fg_sorted.sum()
        intersection = g - fg_sorted.cumsum(0)
        union = g + (1 - fg_sorted).cumsum(0)
        jaccard = 1 - intersection / union
        jaccard[1:] = jaccard[1:] - jaccard[:-1].clone()
        losses.append((errors_sorted * jaccard).sum())
    loss = torch.stack(losses).mean()
    loss.backward()
    save(name, {"op": "lovasz"}, {"x": x, "target": target, "loss": loss.reshape(1), "dx": x.grad})


# 10. global average pool, add ------------------------------------------------------------
def global_avg_pool_case(name):
    seed(name)
    x = leaf(randn(2, 3, 4, 5))
    y = x.mean((2, 3), keepdim=True)
    dy = randn(*y.shape)
    y.backward(dy)
    save(name, {"op": "global_avg_pool"}, {"x": x, "dy": dy, "y": y, "dx": x.grad})


def add_case(name):
    seed(name)
    a, b = leaf(randn(2, 3, 4, 5)), leaf(randn(2, 3, 4, 5))
    y = a + b
    dy = randn(*y.shape)
    y.backward(dy)
    save(name, {"op": "add"}, {"a": a, "b": b, "dy": dy, "y": y, "da": a.grad, "db": b.grad})


def concat_case(name):
    seed(name)
    a, b = leaf(randn(2, 3, 4, 5)), leaf(randn(2, 2, 4, 5))
    y = torch.cat([a, b], dim=1)
    dy = randn(*y.shape)
    y.backward(dy)
    save(name, {"op": "concat"}, {"a": a, "b": b, "dy": dy, "y": y, "da": a.grad, "db": b.grad})


def center_crop_case(name, height, width):
    seed(name)
    x = leaf(randn(2, 3, 9, 8))
    top, left = (x.shape[2] - height) // 2, (x.shape[3] - width) // 2
    y = x[:, :, top:top + height, left:left + width]
    dy = randn(*y.shape)
    y.backward(dy)
    save(name, {"op": "center_crop", "height": str(height), "width": str(width)}, {"x": x, "dy": dy, "y": y, "dx": x.grad})


def upsample_case(name):
    seed(name)
    x = leaf(randn(2, 3, 4, 5))
    y = torch.nn.functional.interpolate(x, scale_factor=2, mode="nearest")
    dy = randn(*y.shape)
    y.backward(dy)
    save(name, {"op": "upsample_nearest"}, {"x": x, "dy": dy, "y": y, "dx": x.grad})


README_HEAD = """# PyTorch op fixtures

Generated by `Tools/make_op_fixtures.py` (run it to regenerate this file and every
`*.safetensors` here). Each file holds float32 little-endian tensors (class targets
`target` are int64) and `__metadata__` with `op`, the op's parameters as strings
(booleans as "1"/"0"), `generator` and `torch_version`.

Inputs are seeded per case (`torch.manual_seed(crc32(case))`) and rounded to float32;
outputs and gradients are computed from those exact values in float64 with torch
autograd on CPU, then stored as float32. `dy` is the upstream gradient (shape of `y`);
`dx`, `dw`, `db`, ... are gradients of `sum(y * dy)` (of `loss` for the losses).

## Formulas

| op | definition |
|----|------------|
| `conv2d` | `y = F.conv2d(x, w, b, stride, padding)`; `w` is (Cout, Cin, kh, kw); `b`/`db` only when `has_bias` = 1 |
| `conv_transpose2d` | `y = F.conv_transpose2d(x, w, b, stride, padding)`; `w` is (Cin, Cout, kh, kw) (PyTorch layout); H_out = (H-1)*stride - 2*padding + k |
| `batch_norm` | `F.batch_norm(x, running_mean, running_var, gamma, beta, training, momentum=0.1, eps=1e-5)`. Training: y = gamma*(x-mean)/sqrt(var_biased+eps)+beta over (N,H,W); running_mean_out = 0.9*running_mean_in + 0.1*mean; running_var_out = 0.9*running_var_in + 0.1*var_unbiased (var_biased * m/(m-1), m = N*H*W). Eval: y = gamma*(x-running_mean_in)/sqrt(running_var_in+eps)+beta, no running_*_out |
| `relu` | y = max(x, 0); every \\|x\\| >= 0.01 (no kinks) |
| `leaky_relu` | y = x if x > 0 else slope*x, slope = 0.1; every \\|x\\| >= 0.01 |
| `max_pool2d` | `F.max_pool2d(x, 2, 2, ceil_mode)`, padding 0; x is a scaled permutation (no ties) |
| `avg_pool2d` | `F.avg_pool2d(x, 2, 2, ceil_mode)`, padding 0, count_include_pad default (True): with padding 0, a window hanging off the bottom/right edge (ceil_mode) is divided by its in-bounds element count |
| `softmax` | y = softmax(x, dim=1) (over channels) |
| `cross_entropy` | nll = -log_softmax(x, 1)[target]; loss = sum(pw * cw[target] * nll) / sum(pw * cw[target]) over (N,H,W); cw = `class_weights` (C) or 1, pw = `pixel_weights` (N,H,W) or 1; `loss` shape [1]; dx = d loss / d x |
| `dice` | p = softmax(x, 1); g = one_hot(target); dice_c = (2*sum_{n,h,w}(p_c*g_c) + eps) / (sum(p_c) + sum(g_c) + eps), eps = 1; loss = 1 - mean_c dice_c; `loss` shape [1] |
| `lovasz` | p = softmax(x, 1) over all pixels; per class k present in `target`: e = abs(onehot_k − p_k) sorted descending (stable), G = #pixels of k, J_i = 1 − (G − cumsum(g)_i) / (G + cumsum(1 − g)_i) over the sorted one-hot g; loss_k = Σ e_i·(J_i − J_{i−1}); loss = mean over present classes; `loss` shape [1] |
| `global_avg_pool` | y = mean of x over (H, W), keepdim: (N, C, 1, 1) |
| `add` | y = a + b; da = db = dy |
| `concat` | y = torch.cat([a, b], dim=1) |
| `center_crop` | y = x[:, :, t:t+height, l:l+width], t = (H-height)//2, l = (W-width)//2 |
| `upsample_nearest` | y = F.interpolate(x, scale_factor=2, mode="nearest") |

## Cases
"""


def write_readme():
    lines = [README_HEAD, "| case | op | parameters | tensors (shape) |", "|---|---|---|---|"]
    for name, meta, tensors in CASES:
        params = ", ".join(f"{k}={v}" for k, v in meta.items() if k not in ("op", "generator", "torch_version"))
        shapes = ", ".join(f"`{k}` {list(t.shape)}" + (" i64" if t.dtype == torch.int64 else "")
                           for k, t in tensors.items())
        lines.append(f"| `{name}` | {meta['op']} | {params} | {shapes} |")
    with open(os.path.join(OUT_DIR, "README.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    conv2d_case("conv2d_k3_valid", 2, 3, 4, 9, 11, 3, 1, 0, True)
    conv2d_case("conv2d_k3_same", 1, 16, 16, 10, 10, 3, 1, 1, False)
    conv2d_case("conv2d_k1", 2, 5, 2, 7, 6, 1, 1, 0, True)
    conv2d_case("conv2d_cin1", 1, 1, 16, 12, 13, 3, 1, 0, True)
    conv2d_case("conv2d_stride2", 1, 4, 8, 11, 11, 3, 2, 1, True)
    conv2d_case("conv2d_wide", 1, 32, 32, 8, 8, 3, 1, 0, False)
    deconv_case("deconv_k2s2", 2, 8, 4, 5, 6, 2, 2, 0, True)
    deconv_case("deconv_k2s2_wide", 1, 32, 16, 4, 4, 2, 2, 0, True)
    deconv_case("deconv_k3s1p1", 1, 3, 5, 6, 7, 3, 1, 1, False)
    deconv_case("deconv_k3s2", 1, 4, 3, 5, 5, 3, 2, 0, True)
    bn_case("bn_train", 2, 3, 5, 4, True)
    bn_case("bn_train_wide", 2, 32, 4, 4, True)
    bn_case("bn_eval", 2, 3, 5, 4, False)
    activation_case("relu", "relu")
    activation_case("leaky_relu", "leaky_relu", slope=0.1)
    pool_case("maxpool_even", "max_pool2d", 2, 3, 8, 6, False)
    pool_case("maxpool_odd_ceil", "max_pool2d", 2, 3, 7, 9, True)
    pool_case("maxpool_odd_floor", "max_pool2d", 2, 3, 7, 9, False)
    pool_case("avgpool_ceil", "avg_pool2d", 2, 3, 7, 9, True)
    pool_case("avgpool_even", "avg_pool2d", 2, 3, 8, 6, False)
    softmax_case("softmax")
    ce_case("ce_plain", False, False)
    ce_case("ce_class_weights", True, False)
    ce_case("ce_pixel_weights", False, True)
    ce_case("ce_both", True, True)
    dice_case("dice")
    lovasz_case("lovasz")
    lovasz_case("lovasz_absent_class", absent_class=True)
    global_avg_pool_case("global_avg_pool")
    add_case("add")
    concat_case("concat")
    center_crop_case("center_crop", 5, 6)
    upsample_case("upsample_nearest")
    write_readme()
    total = sum(os.path.getsize(os.path.join(OUT_DIR, n + ".safetensors")) for n, _, _ in CASES)
    assert total < 2 * 1024 * 1024, f"fixtures total {total} bytes"
    print(f"wrote {len(CASES)} fixtures ({total} bytes) to {OUT_DIR}")


if __name__ == "__main__":
    main()
