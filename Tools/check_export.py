#!/usr/bin/env python3
"""Checks `unet export` with the tools that consume its output.

For a trained model (--model, or one trained here) and tiny models of every block kind,
up-sampling and padding: exports ONNX (logits and --softmax probabilities), checks it with
onnx.checker (full shape inference), runs it with onnxruntime on fixed inputs of two sizes
and compares with `unet forward` (the network `unet predict` runs on each tile), max abs
difference < 1e-4. Then exports a bioimage.io package (folder and zip), validates both with
bioimageio.spec and runs bioimageio.core's test (ONNX on the test input, preprocessing
included, against the expected output that unet wrote).

Runs in .venv-export (created on first use: onnx, onnxruntime, numpy, bioimageio.spec,
bioimageio.core; pydantic below 2.12, which bioimageio.spec 0.5.12 needs to serialise).

    Tools/check_export.py [--unet .build/debug/unet] [--model CKPT] [--work DIR] [--no-variants] [--no-core]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-export"
PACKAGES = ["onnx", "onnxruntime", "numpy", "bioimageio.spec", "bioimageio.core", "pydantic<2.12"]
TOLERANCE = 1e-4


def ensure_environment():
    try:
        import numpy, onnx, onnxruntime, bioimageio.spec  # noqa: F401
        return
    except ImportError:
        pass
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        sys.exit("check_export: the packages are missing from .venv-export; delete it and run again")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q"] + PACKAGES, check=True)
    os.execv(str(python), [str(python), __file__] + sys.argv[1:])


def run(cmd):
    result = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"check_export: {' '.join(map(str, cmd))} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def train(unet, out, *options):
    if not (out / "last.safetensors").exists():
        run([unet, "train", "--out", out, "--threads", "2", *options])
    return out / "last.safetensors"


def compare(unet, checkpoint, work, label):
    """ONNX (onnxruntime) against `unet forward` on two input sizes; returns rows of results."""
    import numpy as np
    import onnx
    import onnxruntime as ort

    rows = []
    for softmax in (False, True):
        path = work / f"{label}{'-softmax' if softmax else ''}.onnx"
        run([unet, "export", "--model", checkpoint, "--format", "onnx", "--out", path] + (["--softmax"] if softmax else []))
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)
        meta = {p.key: p.value for p in model.metadata_props}
        size = json.loads(meta["unet.input_size"])
        channels = model.graph.input[0].type.tensor_type.shape.dim[1].dim_value
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        lo, step = size["minimum"], size["step"]
        for k, (h, w) in enumerate([(lo + 2 * step, lo + 5 * step), (lo + 9 * step, lo + 9 * step)]):
            x = np.random.default_rng(k).standard_normal((2, channels, h, w)).astype(np.float32)
            xin, yout = work / f"{label}-x{k}.npy", work / f"{label}-y{k}.npy"
            np.save(xin, x)
            run([unet, "forward", "--model", checkpoint, "--input", xin, "--out", yout] + (["--softmax"] if softmax else []))
            expected = np.load(yout)
            got = session.run(None, {"input": x})[0]
            assert got.shape == expected.shape == (2, expected.shape[1], h - 2 * size["border"], w - 2 * size["border"]), (got.shape, expected.shape)
            diff = float(np.abs(got - expected).max())
            rows.append((label, "probabilities" if softmax else "logits", f"{h}x{w}", diff, float(np.abs(expected).max())))
    return rows


def compare_with_predict(unet, checkpoint, work, image):
    """`unet predict --probabilities` (overlap-tile, 16-bit PNG probabilities) on a whole image
    against the --softmax ONNX export run by onnxruntime on the same image mirror-padded as the
    predictor pads it (numpy's 'reflect'), the border on the top and left so that the pooling
    phase is the predictor's. Returns (max difference, pixels whose predicted class differs)."""
    import imageio.v2 as imageio
    from PIL import Image as PILImage  # installed with bioimageio.spec (imageio's PNG plugin)
    import numpy as np
    import onnx
    import onnxruntime as ort

    path = work / "whole-softmax.onnx"
    run([unet, "export", "--model", checkpoint, "--format", "onnx", "--softmax", "--out", path])
    meta = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    size, norm, names = json.loads(meta["unet.input_size"]), json.loads(meta["unet.normalization"]), json.loads(meta["unet.class_names"])
    out = work / "predicted"
    run([unet, "predict", "--model", checkpoint, "--out", out, "--probabilities", "--threads", "2", "--overwrite", image])
    pixels = imageio.imread(image).astype(np.float32) / 255
    h, w = pixels.shape
    if norm.get("mode") == "percentile":  # per image, on the whole image, before padding (as unet does)
        low, high = np.percentile(pixels, norm["percentiles"])
        pixels = np.clip((pixels - low) / (high - low), 0, 1).astype(np.float32)
    x = (pixels - norm["mean"][0]) / norm["std"][0]
    b, lo, step = size["border"], size["minimum"], size["step"]
    valid = lambda n: lo + max(0, -(-(n - lo) // step)) * step
    padded = np.pad(x, ((b, valid(h + 2 * b) - h - b), (b, valid(w + 2 * b) - w - b)), mode="reflect")
    probabilities = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input": padded[None, None]})[0][0, :, :h, :w]
    stem = Path(image).stem
    predicted = np.stack([imageio.imread(out / f"{stem}_prob_{n.replace(' ', '_').replace('/', '_')}.png").astype(np.float32) / 65535 for n in names])
    mask = np.array(PILImage.open(out / f"{stem}.png"))  # palette indices (imageio would expand the palette)
    return float(np.abs(probabilities - predicted).max()), int((probabilities.argmax(0) != mask).sum()), f"{h}x{w}"


def check_package(unet, checkpoint, work, image, core):
    from bioimageio.spec import load_description

    results = []
    for target in (work / "package", work / "package.zip"):
        run([unet, "export", "--model", checkpoint, "--format", "bioimageio", "--out", target, "--test-image", image,
             "--author", "unet check_export", "--license", "MIT",
             "--cite", "Ronneberger et al. 2015, U-Net: Convolutional Networks for Biomedical Image Segmentation 10.1007/978-3-319-24574-4_28"])
        source = target / "rdf.yaml" if target.is_dir() else target
        description = load_description(str(source), perform_io_checks=True)
        status = description.validation_summary.status
        results.append((target.name, "bioimageio.spec", status))
        if status not in ("valid-format", "passed"):
            print(description.validation_summary.format())
        if core:
            from bioimageio.core import test_model
            summary = test_model(str(source))
            results.append((target.name, "bioimageio.core test_model", summary.status))
            if summary.status != "passed":
                print(summary.format())
    return results


def main():
    ensure_environment()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unet", default=str(ROOT / ".build" / "debug" / "unet"))
    parser.add_argument("--model", help="a trained checkpoint (default: train one here: depth 3, width 8, 150 steps on Data/)")
    parser.add_argument("--work", help="folder for the models and arrays (default: a temporary folder)")
    parser.add_argument("--no-variants", action="store_true", help="skip the tiny models of every block kind")
    parser.add_argument("--no-core", action="store_true", help="skip bioimageio.core's test")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="check_export-"))
    work.mkdir(parents=True, exist_ok=True)
    unet = Path(args.unet)
    image = ROOT / "Data" / "isbi2012-em" / "images" / "24.png"

    trained = Path(args.model) if args.model else train(unet, work / "trained", "--depth", "3", "--width", "8", "--steps", "150",
                                                          "--batch-size", "2", "--patch-size", "124")
    rows = compare(unet, trained, work, "trained")
    if not args.no_variants:
        variants = {
            "plain": ["--block", "plain"],
            "residual-nearest": ["--block", "residual", "--upsampling", "nearest"],
            "preact": ["--block", "preact"],
            "preact-nobn": ["--block", "preact", "--no-batch-norm"],
            "bottleneck": ["--block", "bottleneck", "--width", "8", "--patch-size", "98"],
            "plain-same": ["--block", "plain", "--padding", "same"],
            "residual-depth3": ["--block", "residual", "--depth", "3", "--width-multiplier", "1.5", "--patch-size", "100"],
        }
        for label, options in variants.items():
            base = ["--depth", "2", "--width", "4", "--steps", "3", "--batch-size", "2"]
            if "--patch-size" not in options:
                base += ["--patch-size", "96"]
            checkpoint = train(unet, work / label, *(base + options))
            rows += compare(unet, checkpoint, work, label)
    whole = compare_with_predict(unet, trained, work, image)
    packages = check_package(unet, trained, work, image, not args.no_core)

    print(f"{'model':<18} {'output':<14} {'input HxW':<10} {'max |onnx - unet|':>18} {'max |unet|':>11}")
    for label, output, size, diff, scale in rows:
        print(f"{label:<18} {output:<14} {size:<10} {diff:>18.3e} {scale:>11.3f}")
    print(f"unet predict --probabilities on {image.name} ({whole[2]}) against onnxruntime on the mirror-padded image: "
          f"max difference {whole[0]:.3e} (PNG steps of 1/65535), {whole[1]} pixels with another class")
    for target, check, status in packages:
        print(f"{target:<18} {check:<28} {status}")
    worst = max(r[3] for r in rows)
    failed = worst >= TOLERANCE or whole[0] >= TOLERANCE or any(s not in ("valid-format", "passed") for _, _, s in packages)
    print(f"worst difference {worst:.3e} (tolerance {TOLERANCE:g}); work folder {work}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
