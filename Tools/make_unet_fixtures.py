#!/usr/bin/env python3
"""PyTorch replay fixtures for the Swift U-Net (Sources/NN), read by Tests/NNTests/UNetReplayTests.swift.

Mirrors UNet.swift and Blocks/*.swift exactly (parameter names included), runs each case in
float64 and stores float32 values in Tests/Fixtures/unet/<case>.safetensors; the keys are
described in Tests/Fixtures/unet/README.md.

Run from anywhere:

    python3 Tools/make_unet_fixtures.py

When torch, numpy or safetensors are missing it creates a venv at .venv in the repository root
(`python3 -m venv .venv && .venv/bin/pip install torch numpy safetensors`) and re-runs itself there.

It also prints parameter counts used by Tests/NNTests/UNetNamingTests.swift.
"""
import json
import os
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    import subprocess
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    venv_python = os.path.join(root, ".venv", "bin", "python")
    if os.path.abspath(sys.executable) == os.path.abspath(venv_python):
        sys.exit("torch, numpy, safetensors still missing in .venv")
    if not os.path.exists(venv_python):
        subprocess.check_call([sys.executable, "-m", "venv", os.path.join(root, ".venv")])
    subprocess.check_call([venv_python, "-m", "pip", "install", "torch", "numpy", "safetensors"])
    os.execv(venv_python, [venv_python, os.path.abspath(__file__)] + sys.argv[1:])

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "unet")


# ---- configuration arithmetic (UNetConfiguration, UNet+Geometry.swift) ----

def width(c, level):
    return max(1, int(round(c["baseWidth"] * c["widthMultiplier"] ** level)))


def three_by_three(kind):
    return 1 if kind == "bottleneck" else 2


def output_size(c, n):
    loss = 2 * three_by_three(c["block"]) if c["padding"] == "valid" else 0
    s = n
    for _ in range(c["depth"]):
        s -= loss
        if s < 2 or s % 2 != 0:
            return None
        s //= 2
    s -= loss
    if s < 1:
        return None
    for _ in range(c["depth"]):
        s = 2 * s - loss
        if s < 1:
            return None
    return s


def input_for_output_at_least(c, m):
    n = 1
    while (output_size(c, n) or -1) < m:
        n += 1
    return n


# ---- the model (names as UNet.parameters / UNet.buffers) ----

def crop(x, h, w):
    """centerCrop: top (H−h)//2, left (W−w)//2."""
    top, left = (x.shape[2] - h) // 2, (x.shape[3] - w) // 2
    return x[:, :, top:top + h, left:left + w]


def bn(ch):
    return nn.BatchNorm2d(ch, eps=1e-5, momentum=0.1)


class Plain(nn.Module):
    """conv1 bn1 relu conv2 bn2 relu; conv bias only without batch norm."""
    def __init__(self, cin, cout, p, use_bn):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=p, bias=not use_bn)
        self.bn1 = bn(cout) if use_bn else None
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=p, bias=not use_bn)
        self.bn2 = bn(cout) if use_bn else None

    def forward(self, x):
        h = F.relu(opt(self.bn1, self.conv1(x)))
        return F.relu(opt(self.bn2, self.conv2(h)))


def opt(m, x):
    return m(x) if m is not None else x


class Residual(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1 x)))) + skip_bn(skip(crop x)))."""
    def __init__(self, cin, cout, p, use_bn):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=p, bias=not use_bn)
        self.bn1 = bn(cout) if use_bn else None
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=p, bias=not use_bn)
        self.bn2 = bn(cout) if use_bn else None
        make_shortcut(self, cin, cout, use_bn)

    def forward(self, x):
        h = opt(self.bn2, self.conv2(F.relu(opt(self.bn1, self.conv1(x)))))
        return F.relu(h + shortcut(self, x, h))


def make_shortcut(m, cin, cout, use_bn):
    m.skip = nn.Conv2d(cin, cout, 1, bias=not use_bn) if cin != cout else None
    m.skip_bn = bn(cout) if (cin != cout and use_bn) else None


def shortcut(m, x, h):
    s = crop(x, h.shape[2], h.shape[3])
    return opt(m.skip_bn, m.skip(s)) if m.skip is not None else s


class PreAct(nn.Module):
    """conv2(relu(bn2(conv1(relu(bn1 x))))) + skip(crop x); conv2 always has a bias, skip never."""
    def __init__(self, cin, cout, p, use_bn):
        super().__init__()
        self.bn1 = bn(cin) if use_bn else None
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=p, bias=not use_bn)
        self.bn2 = bn(cout) if use_bn else None
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=p, bias=True)
        self.skip = nn.Conv2d(cin, cout, 1, bias=False) if cin != cout else None

    def forward(self, x):
        h = self.conv2(F.relu(opt(self.bn2, self.conv1(F.relu(opt(self.bn1, x))))))
        s = crop(x, h.shape[2], h.shape[3])
        return h + (self.skip(s) if self.skip is not None else s)


class Bottleneck(nn.Module):
    """1×1 to max(cout//4,1), 3×3, 1×1 to cout (each + BN, ReLU after the first two), + skip, ReLU."""
    def __init__(self, cin, cout, p, use_bn):
        super().__init__()
        mid = max(cout // 4, 1)
        self.conv1 = nn.Conv2d(cin, mid, 1, bias=not use_bn)
        self.bn1 = bn(mid) if use_bn else None
        self.conv2 = nn.Conv2d(mid, mid, 3, padding=p, bias=not use_bn)
        self.bn2 = bn(mid) if use_bn else None
        self.conv3 = nn.Conv2d(mid, cout, 1, bias=not use_bn)
        self.bn3 = bn(cout) if use_bn else None
        make_shortcut(self, cin, cout, use_bn)

    def forward(self, x):
        h = F.relu(opt(self.bn1, self.conv1(x)))
        h = F.relu(opt(self.bn2, self.conv2(h)))
        h = opt(self.bn3, self.conv3(h))
        return F.relu(h + shortcut(self, x, h))


BLOCKS = {"plain": Plain, "residual": Residual, "preact": PreAct, "bottleneck": Bottleneck}


class UNet(nn.Module):
    """encoder.{0..depth}, decoder.{l}.up (attached to the decoder block of level l), head."""
    def __init__(self, c):
        super().__init__()
        self.c = c
        p = 1 if c["padding"] == "same" else 0
        B = BLOCKS[c["block"]]
        d = c["depth"]
        self.encoder = nn.ModuleList(
            [B(c["inputChannels"] if l == 0 else width(c, l - 1), width(c, l), p, c["batchNorm"]) for l in range(d + 1)])
        self.decoder = nn.ModuleList([B(2 * width(c, l), width(c, l), p, c["batchNorm"]) for l in range(d)])
        for l in range(d):
            below, here = width(c, l + 1), width(c, l)
            if c["upsampling"] == "transposed":
                self.decoder[l].up = nn.ConvTranspose2d(below, here, 2, stride=2, bias=True)
            else:
                self.decoder[l].up = nn.Conv2d(below, here, 1, bias=True)
        self.head = nn.Conv2d(width(c, 0), c["classes"], 1, bias=True)

    def forward(self, x):
        d = self.c["depth"]
        skips = []
        h = x
        for l in range(d):
            h = self.encoder[l](h)
            skips.append(h)
            h = F.max_pool2d(h, 2, 2)
        h = self.encoder[d](h)
        for l in reversed(range(d)):
            if self.c["upsampling"] == "nearest":
                h = F.interpolate(h, scale_factor=2, mode="nearest")
            up = self.decoder[l].up(h)
            skip = crop(skips[l], up.shape[2], up.shape[3])
            h = self.decoder[l](torch.cat([skip, up], dim=1))
        return self.head(h)


def randomise(model, g):
    """Random weights; BN weight 1+0.1·randn, bias 0.1·randn, running mean 0.1·randn, var 1+0.25·U(-1,1)."""
    with torch.no_grad():
        for name, t in model.named_parameters():
            if ".bn" in name or "skip_bn" in name:
                if name.endswith("weight"):
                    t.copy_(1 + 0.1 * torch.randn(t.shape, generator=g, dtype=t.dtype))
                else:
                    t.copy_(0.1 * torch.randn(t.shape, generator=g, dtype=t.dtype))
            elif name.endswith("bias"):
                t.copy_(0.1 * torch.randn(t.shape, generator=g, dtype=t.dtype))
            else:
                fan_in = t[0].numel() if not name.endswith("up.weight") or model.c["upsampling"] != "transposed" \
                    else t.shape[0]
                t.copy_(torch.randn(t.shape, generator=g, dtype=t.dtype) * (2.0 / fan_in) ** 0.5)
        for name, t in model.named_buffers():
            if name.endswith("running_mean"):
                t.copy_(0.1 * torch.randn(t.shape, generator=g, dtype=t.dtype))
            elif name.endswith("running_var"):
                t.copy_(1 + 0.25 * (2 * torch.rand(t.shape, generator=g, dtype=t.dtype) - 1))


def state_buffers(model):
    return {n: b for n, b in model.named_buffers() if not n.endswith("num_batches_tracked")}


def save_file(tensors, path, metadata):
    """The safetensors layout, written by hand with sorted keys so regenerating is byte-stable."""
    header, blobs, offset = {"__metadata__": dict(sorted(metadata.items()))}, [], 0
    for key in sorted(tensors):
        a = np.ascontiguousarray(tensors[key])
        dtype = {np.dtype(np.float32): "F32", np.dtype(np.int32): "I32"}[a.dtype]
        blob = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[key] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def f32(t):
    return t.detach().to(torch.float32).contiguous().numpy()


def train_steps(model, init, x, t, make_opt, steps=5):
    model.load_state_dict(init)
    model.train()
    o = make_opt(model.parameters())
    losses = []
    for _ in range(steps):
        o.zero_grad()
        loss = F.cross_entropy(model(x), t)
        losses.append(loss.item())
        loss.backward()
        o.step()
    return losses


def make_case(name, c, seed, optimizers=False):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = UNet(c).double()
    randomise(model, g)
    n = input_for_output_at_least(c, 4)
    out = output_size(c, n)
    N = 2
    x = torch.randn(N, c["inputChannels"], n, n, generator=g, dtype=torch.float64)
    t = torch.randint(0, c["classes"], (N, out, out), generator=g)
    init = {k: v.clone() for k, v in model.state_dict().items()}

    tensors = {"input": f32(x), "targets": t.to(torch.int32).numpy()}
    for k, v in model.named_parameters():
        tensors["init." + k] = f32(v)
    for k, v in state_buffers(model).items():
        tensors["init." + k] = f32(v)

    if c["batchNorm"]:
        model.eval()
        with torch.no_grad():
            tensors["eval_logits"] = f32(model(x))

    model.train()
    model.zero_grad()
    logits = model(x)
    assert tuple(logits.shape) == (N, c["classes"], out, out)
    loss = F.cross_entropy(logits, t)
    loss.backward()
    tensors["logits"] = f32(logits)
    tensors["loss"] = np.array([loss.item()], dtype=np.float32)
    for k, v in model.named_parameters():
        tensors["grad." + k] = f32(v.grad)
    for k, v in state_buffers(model).items():
        tensors["running." + k] = f32(v)

    if optimizers:
        sgd = train_steps(model, init, x, t, lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9))
        tensors["sgd_losses"] = np.array(sgd, dtype=np.float32)
        for k, v in list(model.named_parameters()) + list(state_buffers(model).items()):
            tensors["sgd_final." + k] = f32(v)
        adam = train_steps(model, init, x, t, lambda p: torch.optim.Adam(p, lr=1e-3, betas=(0.9, 0.999), eps=1e-8))
        tensors["adam_losses"] = np.array(adam, dtype=np.float32)
        for k, v in list(model.named_parameters()) + list(state_buffers(model).items()):
            tensors["adam_final." + k] = f32(v)
        print(f"  sgd losses {sgd}\n  adam losses {adam}")

    meta = {k: json.dumps(v) for k, v in c.items()}
    meta.update(inputSize=str(n), outputSize=str(out), batch=str(N), seed=str(seed),
                parameterCount=str(sum(p.numel() for p in model.parameters())),
                parameterNames=json.dumps([k for k, _ in model.named_parameters()]),
                bufferNames=json.dumps(list(state_buffers(model))))
    path = os.path.join(OUT, name + ".safetensors")
    save_file(tensors, path, metadata=meta)
    print(f"{name}: input {n} -> output {out}, loss {loss.item():.6f}, "
          f"{meta['parameterCount']} parameters, {os.path.getsize(path)} bytes")


def config(block, batch_norm=True, upsampling="transposed", depth=2, base=4, classes=3, padding="valid",
           mult=2.0, input_channels=1):
    return {"depth": depth, "baseWidth": base, "widthMultiplier": mult, "inputChannels": input_channels,
            "classes": classes, "block": block, "batchNorm": batch_norm, "padding": padding,
            "upsampling": upsampling}


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, block in enumerate(["plain", "residual", "preact", "bottleneck"]):
        make_case(block, config(block), seed=100 + i, optimizers=(block == "residual"))
    make_case("residual_nobn", config("residual", batch_norm=False), seed=200)
    make_case("plain_nearest", config("plain", upsampling="nearest"), seed=300)
    # Parameter counts quoted by UNetNamingTests (the paper's shape: depth 4, width 64, classes 2).
    for block in ["plain", "residual", "preact", "bottleneck"]:
        m = UNet(config(block, depth=4, base=64, classes=2))
        print(f"paper {block}: {sum(p.numel() for p in m.parameters())} parameters")


if __name__ == "__main__":
    main()
