#!/usr/bin/env python3
"""The benchmark table of Tools/gpu/check: `unet bench --json` records (with config and precision
added) beside Tools/bench_torch_gpu.py's, one JSON object per line in one file. Throughput is
output megapixels per second; ratios above 1 mean unet is faster, memory ratios below 1 mean it
holds less (PyTorch's figure is max_memory_reserved, what its caching allocator took from the GPU;
unet's is its device allocator's peak, `peak_device_mib`)."""
import json
import sys


def mpix(r, key):
    if r.get(key) is None:
        return None
    return r["batch"] * r["output_size"] ** 2 / 1e6 / (r[key] / 1e3)


def fmt(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


def ratio(a, b, invert=False):
    if a is None or b is None or a == 0 or b == 0:
        return "–"
    return f"{(b / a if invert else a / b):.2f}×"


def main(path):
    ours, torch = {}, {}
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        r = json.loads(line)
        key = (r["config"], r["precision"])
        (torch if r.get("implementation", "").startswith("PyTorch") else ours)[key] = r
    keys = sorted(set(ours) | set(torch), key=lambda k: (k[0], ["fp32", "tf32", "bf16"].index(k[1]) if k[1] in ["fp32", "tf32", "bf16"] else 9))
    print("| config | precision | train MPix/s unet | PyTorch | ratio | infer MPix/s unet | PyTorch | ratio | peak train MiB unet | PyTorch | ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for k in keys:
        u, t = ours.get(k, {}), torch.get(k, {})
        ut, tt = mpix(u, "train_step_ms") if u else None, t.get("train_mpix_s")
        ui, ti = mpix(u, "infer_ms") if u else None, t.get("infer_mpix_s")
        um, tm = u.get("peak_device_mib"), t.get("peak_train_reserved_mib")
        batch = (u or t).get("batch", "?")
        print(f"| {k[0]} (batch {batch}) | {k[1]} | {fmt(ut)} | {fmt(tt)} | {ratio(ut, tt)} | {fmt(ui)} | {fmt(ti)} | {ratio(ui, ti)} "
              f"| {fmt(um, 0)} | {fmt(tm, 0)} | {ratio(um, tm)} |")
    if torch:
        print(f"\nPyTorch: {next(iter(torch.values()))['implementation']} on {next(iter(torch.values())).get('device', '?')}")
    if ours:
        print(f"unet: {next(iter(ours.values())).get('implementation', '?')}")


if __name__ == "__main__":
    main(sys.argv[1])
