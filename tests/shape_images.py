"""Folders of generated images for the "your own images" tests: one simple shape per class, drawn
dark on a light, noisy background (like a photo) at random sizes and places, so that preparation
has something to invert, trim and centre, and a model has classes to tell apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("circle", "square", "cross")


def shape_image(shape: str, rng: np.random.Generator, size: tuple[int, int] = (64, 48)) -> Image.Image:
    width, height = size
    image = Image.new("L", size, int(rng.integers(200, 250)))
    draw = ImageDraw.Draw(image)
    r = int(rng.integers(min(size) // 5, min(size) // 3))
    cx, cy = int(rng.integers(r + 1, width - r - 1)), int(rng.integers(r + 1, height - r - 1))
    ink = int(rng.integers(0, 60))
    if shape == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=ink)
    elif shape == "square":
        draw.rectangle((cx - r, cy - r, cx + r, cy + r), fill=ink)
    else:
        w = max(2, r // 3)
        draw.rectangle((cx - r, cy - w, cx + r, cy + w), fill=ink)
        draw.rectangle((cx - w, cy - r, cx + w, cy + r), fill=ink)
    noise = rng.normal(0, 6, (height, width))
    return Image.fromarray(np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8))


def make_shape_folder(root: Path, per_class: int = 20, shapes=SHAPES, seed: int = 0) -> Path:
    """``root/<shape>/<i>.png`` for each shape; returns ``root``."""
    rng = np.random.default_rng(seed)
    for shape in shapes:
        (root / shape).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            shape_image(shape, rng).save(root / shape / f"{i:03d}.png")
    return root


def make_fashion_folder(root: Path, test_set, classes=(1, 8, 9), per_class: int = 30) -> Path:
    """``root/<class name>/<i>.png``: the first ``per_class`` Fashion-MNIST test images of each class
    in ``classes`` (labels), saved as 28 x 28 PNGs the way a user's folder would hold them."""
    from gaerchen_gui.core.data import CLASS_NAMES

    labels = test_set.labels.numpy()
    for label in classes:
        folder = root / CLASS_NAMES[label].lower().replace("/", "-")
        folder.mkdir(parents=True, exist_ok=True)
        for i, row in enumerate(np.flatnonzero(labels == label)[:per_class]):
            pixels = test_set.images[row, 0, 2:30, 2:30].numpy()  # the 28 x 28 image inside the padding
            Image.fromarray((pixels * 255).round().astype(np.uint8)).save(folder / f"{i:03d}.png")
    return root
