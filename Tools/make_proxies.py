#!/usr/bin/env python3
"""Proxy datasets for the planner and the stability study: each one stresses a property that a
dataset fingerprint must detect and that the sample (ISBI 2012 EM, gray 8-bit, one brightness)
lacks. Built from the sample in Data/ (or synthetic), written as unet dataset folders
(images/, masks/, split.json) under OUT.

    python3 Tools/make_proxies.py OUT [--seed 0]

  mixed  the sample with per-image contrast changes: half the images inverted, gamma 0.5-2,
         contrast 0.3-1.2, offset -0.2-0.3 (mixed modalities and exposures)
  rgb    colourised copies: a random stain-like tint per image, RGB
  sizes  crops of the sample of varied size, 96-512 px, several per slice
  16bit  the sample in 16-bit with a narrow range (1000-5000) and hot pixels at 65535
  rare   synthetic, 3 classes: large blobs (class 1) and small rare dots (class 2, in 30% of
         the images, under 1% of the pixels), on a textured background

Needs numpy and pillow (a reference tool: the product never runs Python).
"""
import argparse
import json
import os

import numpy as np
from PIL import Image

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "Data", "isbi2012-em")


def sample_pairs():
    split = json.load(open(os.path.join(SAMPLE, "split.json")))
    names = split["train"] + split["validation"]
    for name in names:
        image = np.asarray(Image.open(os.path.join(SAMPLE, "images", name + ".png")), dtype=np.float64) / 255
        mask = np.asarray(Image.open(os.path.join(SAMPLE, "masks", name + ".png")))
        yield name, image, mask, name in split["validation"]


def write(root, name, image, mask):
    os.makedirs(os.path.join(root, "images"), exist_ok=True)
    os.makedirs(os.path.join(root, "masks"), exist_ok=True)
    if image.dtype == np.uint16:
        Image.fromarray(image).save(os.path.join(root, "images", name + ".png"))
    else:
        Image.fromarray(np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)).save(os.path.join(root, "images", name + ".png"))
    Image.fromarray(mask.astype(np.uint8)).save(os.path.join(root, "masks", name + ".png"))


def write_split(root, train, validation):
    with open(os.path.join(root, "split.json"), "w") as f:
        json.dump({"train": sorted(train), "validation": sorted(validation)}, f)


def mixed(root, rng):
    train, val = [], []
    for name, x, m, is_val in sample_pairs():
        if rng.random() < 0.5:
            x = 1 - x
        x = x ** rng.uniform(0.5, 2)
        x = x * rng.uniform(0.3, 1.2) + rng.uniform(-0.2, 0.3)
        write(root, name, np.clip(x, 0, 1), m)
        (val if is_val else train).append(name)
    write_split(root, train, val)


def rgb(root, rng):
    train, val = [], []
    for name, x, m, is_val in sample_pairs():
        tint = rng.uniform(0.3, 1.0, size=3)
        gamma = rng.uniform(0.7, 1.5, size=3)
        image = np.stack([1 - tint[k] * (1 - x ** gamma[k]) for k in range(3)], axis=-1)
        write(root, name, image, m)
        (val if is_val else train).append(name)
    write_split(root, train, val)


def sizes(root, rng):
    train, val = [], []
    for name, x, m, is_val in sample_pairs():
        for k in range(3):
            side = int(rng.integers(96, 513))
            top, left = int(rng.integers(0, 512 - side + 1)), int(rng.integers(0, 512 - side + 1))
            crop = f"{name}_{k}"
            write(root, crop, x[top:top + side, left:left + side], m[top:top + side, left:left + side])
            (val if is_val else train).append(crop)
    write_split(root, train, val)


def sixteen_bit(root, rng):
    train, val = [], []
    for name, x, m, is_val in sample_pairs():
        image = (1000 + 4000 * x).astype(np.uint16)
        hot = rng.integers(0, image.size, size=image.size // 2000)
        image.flat[hot] = 65535
        write(root, name, image, m)
        (val if is_val else train).append(name)
    write_split(root, train, val)


def rare(root, rng, count=30, side=256):
    train, val = [], []
    yy, xx = np.mgrid[0:side, 0:side]
    for i in range(count):
        name = f"{i:02d}"
        background = 0.3 + 0.1 * np.sin(xx / rng.uniform(3, 9)) * np.cos(yy / rng.uniform(3, 9))
        image = background + rng.normal(0, 0.05, size=(side, side))
        mask = np.zeros((side, side), dtype=np.uint8)
        for _ in range(int(rng.integers(3, 7))):
            cy, cx = rng.uniform(0, side, size=2)
            ry, rx = rng.uniform(15, 35, size=2)
            blob = ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1
            mask[blob] = 1
            image[blob] += 0.35
        if rng.random() < 0.3:
            for _ in range(int(rng.integers(1, 4))):
                cy, cx = rng.uniform(0, side, size=2)
                dot = (yy - cy) ** 2 + (xx - cx) ** 2 <= rng.uniform(2, 4) ** 2
                mask[dot] = 2
                image[dot] += 0.2
        write(root, name, np.clip(image, 0, 1), mask)
        (val if i >= count - 6 else train).append(name)
    write_split(root, train, val)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for name, make in [("mixed", mixed), ("rgb", rgb), ("sizes", sizes), ("16bit", sixteen_bit), ("rare", rare)]:
        root = os.path.join(args.out, name)
        if os.path.exists(root):
            raise SystemExit(f"{root} exists; choose an empty OUT")
        make(root, np.random.default_rng(args.seed))
        print(f"wrote {root}")


if __name__ == "__main__":
    main()
