#!/usr/bin/env python3
"""PyTorch, onnxruntime and OpenVINO side of Tools/bench: the Swift U-Net's twin, timed on synthetic data.

The network is the faithful mirror in Tools/make_unet_fixtures.py (same blocks, crops, names),
initialised with the Swift scheme (Sources/NN/Layers): convolution weights He-normal with
std sqrt(2 / fan_in), fan_in = Cin·k² (transposed 2×2 stride 2: Cin·k²/stride² = Cin), biases 0,
batch norm weight 1, bias 0. One measurement per process (--only):

  train         model.train(); forward, F.cross_entropy, backward, Adam(lr 1e-3), zero_grad
  infer         model.eval() under torch.inference_mode(), eager (batch norm not folded)
  infer-frozen  torch.jit.trace + torch.jit.freeze in eval mode (folds batch norm into the convolutions)
  onnx          torch.onnx.export in eval mode, onnxruntime CPU with intra_op_num_threads=T,
                inter_op_num_threads=1, sequential execution, all graph optimisations (it folds batch norm)
  openvino      the same ONNX file compiled by OpenVINO's CPU plugin, INFERENCE_NUM_THREADS=T, one stream,
                latency hint, INFERENCE_PRECISION_HINT=f32 (on AVX512_BF16 CPUs it would silently run bf16)

Every result records the instruction set its side ran on (`isa`): PyTorch's ATen CPU capability
(ATEN_CPU_CAPABILITY=avx2 lowers it), OpenVINO's optimisation capabilities and the precision it
compiled for, and for onnxruntime (whose MLAS kernels dispatch on CPUID and cannot be capped) the
CPU's widest vectors.

It prints one JSON object with the keys `unet bench --json` prints (train_step_ms, infer_ms,
peak_rss_mb, gflops_train, gflops_infer, ... ; FLOPs counted as in
Sources/Training/Benchmark/ConvolutionFLOPs.swift), or a short text line without --json.

When torch, numpy, onnx, onnxruntime or openvino are missing it creates .venv-bench in the repository
root (python3 -m venv; CPU torch from download.pytorch.org where reachable, else PyPI's; the rest from
PyPI) and re-runs itself there.
Set BENCH_PYTHON to an interpreter that already has them to skip that.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

try:
    import numpy as np  # noqa: F401  (torch.onnx and onnxruntime need it)
    import onnx  # noqa: F401
    import onnxruntime as ort
    import openvino as ov
    import torch
    import torch.nn.functional as F
except ImportError:
    import subprocess
    venv = os.path.join(ROOT, ".venv-bench")
    venv_python = os.path.join(venv, "bin", "python")
    if os.path.abspath(sys.executable) == os.path.abspath(venv_python):
        sys.exit("torch, numpy, onnx, onnxruntime or openvino still missing in .venv-bench")
    if not os.path.exists(venv_python):
        print("bench_torch.py: creating .venv-bench (torch, numpy, onnx, onnxruntime, openvino)", file=sys.stderr)
        subprocess.check_call([sys.executable, "-m", "venv", venv])
    pip = [venv_python, "-m", "pip", "install", "--quiet"]
    if subprocess.call(pip + ["torch", "--index-url", "https://download.pytorch.org/whl/cpu"], stdout=sys.stderr) != 0:
        subprocess.check_call(pip + ["torch"], stdout=sys.stderr)
    subprocess.check_call(pip + ["numpy", "onnx", "onnxruntime", "onnxscript", "openvino"], stdout=sys.stderr)
    os.execv(venv_python, [venv_python, os.path.abspath(__file__)] + sys.argv[1:])

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_unet_fixtures import UNet, output_size, width  # noqa: E402  (the mirror of Sources/NN)

FLOP_CONVENTION = ("2 FLOPs per multiply-add, convolutions and transposed convolutions only; "
                   "training step = 3× forward less the backward-data of convolutions reading the input")


def conv_flops(c, n, batch):
    """(forward, training step) FLOPs as Sources/Training/Benchmark/ConvolutionFLOPs.swift counts them."""
    total = reading_input = 0

    def conv(cin, cout, k, s, on_input=False):
        nonlocal total, reading_input
        out = s if c["padding"] == "same" else s - (k - 1)
        total += 2 * cin * cout * k * k * out * out
        if on_input:
            reading_input += 2 * cin * cout * k * k * out * out
        return out

    def stage(cin, cout, s, on_input):
        kind = c["block"]
        if kind == "plain":
            return conv(cout, cout, 3, conv(cin, cout, 3, s, on_input))
        if kind == "residual":
            out = conv(cout, cout, 3, conv(cin, cout, 3, s, on_input))
        elif kind == "preact":   # conv1 reads relu(bn1(x)), which needs a gradient when bn1 has parameters
            out = conv(cout, cout, 3, conv(cin, cout, 3, s, on_input and not c["batchNorm"]))
        else:
            mid = max(cout // 4, 1)
            out = conv(mid, cout, 1, conv(mid, mid, 3, conv(cin, mid, 1, s, on_input)))
        if cin != cout:
            conv(cin, cout, 1, out, on_input)
        return out

    s, cin, d = n, c["inputChannels"], c["depth"]
    for l in range(d):
        s = stage(cin, width(c, l), s, l == 0) // 2
        cin = width(c, l)
    s = stage(cin, width(c, d), s, False)
    for l in reversed(range(d)):
        below, here = width(c, l + 1), width(c, l)
        total += 2 * below * here * (4 * s * s)   # transposed 2×2: Cin·Cout·4·Hin·Win; nearest+1×1: Cin·Cout·(2H)(2W)
        s = stage(2 * here, here, 2 * s, False)
    conv(width(c, 0), c["classes"], 1, s)
    return total * batch, (3 * total - reading_input) * batch


def he_init(model, c):
    """The Swift initialisation scheme (Conv2D.swift, ConvTranspose2D.swift, BatchNorm2D defaults)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.ConvTranspose2d):
                cin, k, st = m.weight.shape[0], m.weight.shape[2], m.stride[0]
                m.weight.normal_(0, (2.0 / (cin * k * k / (st * st))) ** 0.5)
            elif isinstance(m, torch.nn.Conv2d):
                m.weight.normal_(0, (2.0 / m.weight[0].numel()) ** 0.5)
            elif isinstance(m, torch.nn.BatchNorm2d):
                m.reset_parameters()
                continue
            else:
                continue
            if m.bias is not None:
                m.bias.zero_()


def peak_rss_mib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1e3)
    return samples


def sgemm_rate(n=2048, repeats=5):
    a, b = torch.ones(n, n), torch.full((n, n), 0.5)
    samples = timed(lambda: torch.mm(a, b), 1, repeats)
    return 2 * n ** 3 / (statistics.median(samples) / 1e3) / 1e9


def export_onnx(model, x):
    path = os.path.join(tempfile.mkdtemp(prefix="unet-bench-"), "unet.onnx")
    with torch.no_grad():
        try:
            torch.onnx.export(model, (x,), path, input_names=["x"], output_names=["scores"], dynamo=False)
        except TypeError:   # older torch without the dynamo argument
            torch.onnx.export(model, (x,), path, input_names=["x"], output_names=["scores"])
    return path


def cpu_vectors():
    """The widest vector instructions the CPU reports (onnxruntime uses the widest it has)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return "unknown"
    for flag, name in (("avx512_bf16", "AVX-512 with BF16"), ("avx512f", "AVX-512"), ("avx2", "AVX2")):
        if flag in flags:
            return name
    return "SSE"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--depth", type=int, default=4)
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--width-multiplier", type=float, default=2.0)
    p.add_argument("--padding", choices=["valid", "same"], default="valid")
    p.add_argument("--block", choices=["plain", "residual", "preact", "bottleneck"], default="residual")
    p.add_argument("--upsampling", choices=["transposed", "nearest"], default="transposed")
    p.add_argument("--batch-norm", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--classes", type=int, default=2)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--size", type=int, default=572)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", choices=["train", "infer", "infer-frozen", "onnx", "openvino"], default="train")
    p.add_argument("--sgemm", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()

    c = {"depth": a.depth, "baseWidth": a.width, "widthMultiplier": a.width_multiplier, "inputChannels": a.channels,
         "classes": a.classes, "block": a.block, "batchNorm": a.batch_norm, "padding": a.padding,
         "upsampling": a.upsampling}
    out = output_size(c, a.size)
    if out is None:
        sys.exit(f"--size {a.size} is not a valid input for this network")
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = UNet(c)
    he_init(model, c)
    x = torch.randn(a.batch_size, a.channels, a.size, a.size)
    t = torch.randint(0, a.classes, (a.batch_size, out, out))
    fwd, train_flops = conv_flops(c, a.size, a.batch_size)

    result = {"train_step_ms": None, "infer_ms": None}
    isa = "PyTorch ATen CPU capability " + torch.backends.cpu.get_cpu_capability()
    if a.only == "train":
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            loss = F.cross_entropy(model(x), t)
            loss.backward()
            opt.step()
            opt.zero_grad()
            return loss.item()

        s = timed(step, a.warmup, a.steps)
        result.update(implementation=f"PyTorch {torch.__version__} eager", train_step_ms=statistics.median(s),
                      train_step_min_ms=min(s), train_step_max_ms=max(s), train_step_samples_ms=s,
                      gflops_train=train_flops / 1e9 / (statistics.median(s) / 1e3))
    else:
        model.eval()
        if a.only == "infer":
            name, inference_bn = f"PyTorch {torch.__version__} eager, inference_mode", "eval mode, not folded"

            def run():
                with torch.inference_mode():
                    return model(x)
        elif a.only == "infer-frozen":
            name, inference_bn = f"PyTorch {torch.__version__} jit.trace + jit.freeze", "folded by torch.jit.freeze"
            with torch.inference_mode():
                frozen = torch.jit.freeze(torch.jit.trace(model, x))

            def run():
                with torch.inference_mode():
                    return frozen(x)
        elif a.only == "openvino":
            path = export_onnx(model, x)
            core = ov.Core()
            compiled = core.compile_model(core.read_model(path), "CPU", {
                "INFERENCE_NUM_THREADS": a.threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY",
                "INFERENCE_PRECISION_HINT": "f32"})
            hint = compiled.get_property("INFERENCE_PRECISION_HINT")
            precision = hint.get_type_name() if hasattr(hint, "get_type_name") else str(hint)
            name = f"OpenVINO {ov.__version__} CPU ({precision})"
            inference_bn = "folded by OpenVINO's graph transformations"
            isa = "OpenVINO capabilities " + ",".join(core.get_property("CPU", "OPTIMIZATION_CAPABILITIES")) + f"; compiled for {precision}"
            request = compiled.create_infer_request()
            feed = x.numpy()

            def run():
                return request.infer([feed])
        else:
            name, inference_bn = f"onnxruntime {ort.__version__} CPU", "folded by onnxruntime's graph optimiser"
            isa = "onnxruntime MLAS, dispatched on CPUID: " + cpu_vectors()
            path = export_onnx(model, x)
            so = ort.SessionOptions()
            so.intra_op_num_threads = a.threads
            so.inter_op_num_threads = 1
            so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
            feed = {"x": x.numpy()}

            def run():
                return sess.run(None, feed)

        s = timed(run, a.warmup, a.steps)
        result.update(implementation=name, inference_bn=inference_bn, infer_ms=statistics.median(s),
                      infer_min_ms=min(s), infer_max_ms=max(s), infer_samples_ms=s,
                      gflops_infer=fwd / 1e9 / (statistics.median(s) / 1e3))
    result.update(peak_rss_mb=peak_rss_mib(), sgemm_gflops=sgemm_rate() if a.sgemm else None,
                  sgemm_probe="torch.mm 2048²", gflop_forward=fwd / 1e9, gflop_train_step=train_flops / 1e9,
                  flop_convention=FLOP_CONVENTION, depth=a.depth, width=a.width, width_multiplier=a.width_multiplier,
                  padding=a.padding, block=a.block, upsampling=a.upsampling, batch_norm=a.batch_norm,
                  input_channels=a.channels, classes=a.classes, size=a.size, output_size=out, batch=a.batch_size,
                  threads=a.threads, warmup=a.warmup, measure=a.only, isa=isa)
    for k in ("gflops_train", "gflops_infer"):
        result.setdefault(k, None)
    if a.json:
        print(json.dumps(result, sort_keys=True))
    else:
        ms = result["train_step_ms"] if a.only == "train" else result["infer_ms"]
        print(f"{result['implementation']}: {a.only} {ms:.1f} ms median, peak RSS {result['peak_rss_mb']:.0f} MiB")


if __name__ == "__main__":
    main()
