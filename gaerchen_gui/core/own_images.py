"""A person's own image, prepared the way Fashion-MNIST's were (Pillow and numpy only, no Qt).

Fashion-MNIST's images were made from product photos on white backgrounds (Xiao et al. 2017,
"Fashion-MNIST", section 2): trim the margin of background colour, shrink the longer side to 28
pixels, centre on a 28 x 28 canvas, negate (dark background, bright object), grey. The book then
pads 28 x 28 to 32 x 32. :func:`prepare_image` does the same, with one change: Fashion-MNIST's
photos were all light, so it always negated; a person's image may already be dark, so it is
negated only when its background is light (or as the caller's toggle says).

"Light background": the median grey value of the image's border is above mid-grey. The border
is where the background is in an object-centred picture (a photo of a shoe, a drawing of a
digit); the median rather than the mean because the object often touches one edge (a trouser
leg, a stroke drawn to the edge) and a median ignores that as long as background holds most of
the frame, while a mean is pulled towards the object's colour. The same border median is the
background level that trimming measures distances from.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps

from gaerchen_gui.core.data import IMAGE_SIZE

FITTED_SIZE = 28  # Fashion-MNIST's image size; padded to IMAGE_SIZE (32) like its images
# Trimming drops rows and columns whose pixels all lie within this distance of the background
# level: Fashion-MNIST's 5% of the grey range, which leaves JPEG noise out of the object.
TRIM_TOLERANCE = 0.05
# The border that decides "light background": this share of the shorter side (at least 1 pixel).
BORDER_SHARE = 0.04
# Names the rule above: a checkpoint's dataset digest includes it, so a change of rule is a change of data.
PREPARATION = "fashion-mnist-v1"
DECODE_SIZE = 16 * FITTED_SIZE  # the least a photo's shorter side is decoded at (see read_image)
MAX_LISTED = 8  # skipped files named in a message; the rest are counted


# A file's path, an open binary file (the bytes of a dropped file), or an image already decoded.
ImageSource = str | os.PathLike | BinaryIO | Image.Image


class ImageReadError(Exception):
    """A file is not an image Gaerchen can read: ``str(err)`` is "name: reason", ``reason`` a few words."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


def read_image(source: ImageSource) -> Image.Image:
    """The image at ``source``, decoded (a large JPEG at a reduced scale, at least DECODE_SIZE
    pixels on its shorter side), upright (EXIF orientation applied). ImageReadError for a
    missing, unreadable, truncated or non-image file, and for an image larger than Pillow's
    decompression-bomb limit (``PIL.Image.MAX_IMAGE_PIXELS``): Pillow only warns between the limit
    and twice it, but a picture that size would take gigabytes to decode, so both are refused."""
    if isinstance(source, Image.Image):
        return ImageOps.exif_transpose(source)
    name = (Path(source).name or str(source)) if isinstance(source, (str, os.PathLike)) else "the image"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                # A JPEG decodes at 1/2, 1/4 or 1/8 scale for a fraction of the time (a 12-megapixel
                # photo: ~10x faster); DECODE_SIZE keeps even an object a sixteenth of the frame wide
                # well above the 28 pixels it ends at.
                opened.draft(None, (DECODE_SIZE, DECODE_SIZE))
                opened.load()  # Image.open is lazy: a truncated file fails only when its pixels are read
                return ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        limit = Image.MAX_IMAGE_PIXELS
        raise ImageReadError(name, f"too large (over Pillow's limit of {limit:,} pixels)") from None
    except Image.UnidentifiedImageError:
        raise ImageReadError(name, "not an image") from None
    except FileNotFoundError:
        raise ImageReadError(name, "no such file (removed?)") from None
    except IsADirectoryError:
        raise ImageReadError(name, "a folder, not an image") from None
    except OSError as err:
        if "truncated" in str(err).lower():
            raise ImageReadError(name, "truncated") from None
        raise ImageReadError(name, f"cannot be read ({err.strerror or err})") from None
    except Exception as err:  # Pillow's decoders also raise SyntaxError, ValueError, struct.error, ...
        raise ImageReadError(name, f"damaged ({type(err).__name__})") from None


def grey_pixels(image: Image.Image) -> np.ndarray:
    """(H, W) float32 in [0, 1]. Transparent parts are laid on white first: a drawing with a
    transparent background is, to the eye, a drawing on paper."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(image, dtype=np.float32)  # 16-bit or float greys: scale by their own range
        top = float(values.max()) or 1.0
        return np.clip(values / top, 0.0, 1.0)
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def border_median(pixels: np.ndarray) -> float:
    """The median of the image's border (see the module docstring): its background level."""
    height, width = pixels.shape
    b = max(1, round(min(height, width) * BORDER_SHARE))
    frame = np.concatenate([pixels[:b].ravel(), pixels[-b:].ravel(), pixels[:, :b].ravel(), pixels[:, -b:].ravel()])
    return float(np.median(frame))


def has_light_background(pixels: np.ndarray) -> bool:
    return border_median(pixels) > 0.5


def _trim_box(pixels: np.ndarray, background: float) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the rows and columns holding anything but background."""
    content = np.abs(pixels - background) > TRIM_TOLERANCE
    rows, cols = np.flatnonzero(content.any(axis=1)), np.flatnonzero(content.any(axis=0))
    if rows.size == 0:  # a blank picture: nothing to trim to, keep it whole
        return 0, 0, pixels.shape[1], pixels.shape[0]
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def prepare_image(source: ImageSource, invert: bool | None = None) -> np.ndarray:
    """One image as the models see it: (32, 32) float32 in [0, 1], bright object on black.

    ``invert``: None negates when the background is light (:func:`has_light_background`); True or
    False force it. Steps (Fashion-MNIST's, module docstring): grey; negate; trim the background
    margin; shrink (or enlarge) the longer side to 28 pixels keeping the aspect ratio; centre on a
    black 28 x 28 canvas; pad to 32 x 32. ImageReadError if a file cannot be read.
    """
    pixels = grey_pixels(read_image(source))
    if pixels.size == 0:
        raise ImageReadError("the image", "it has no pixels")
    if invert is None:
        invert = has_light_background(pixels)
    if invert:
        pixels = 1.0 - pixels
    left, top, right, bottom = _trim_box(pixels, border_median(pixels))
    object_pixels = pixels[top:bottom, left:right]
    height, width = object_pixels.shape
    scale = FITTED_SIZE / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # LANCZOS averages a large photo down without aliasing; reducing_gap shrinks huge ones in cheap
    # integer steps first (same result to the eye, much faster).
    fitted = Image.fromarray(np.ascontiguousarray(object_pixels, dtype=np.float32))
    fitted = fitted.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    canvas = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    x0 = (IMAGE_SIZE - size[0]) // 2
    y0 = (IMAGE_SIZE - size[1]) // 2
    canvas[y0 : y0 + size[1], x0 : x0 + size[0]] = np.asarray(fitted, dtype=np.float32)
    return np.clip(canvas, 0.0, 1.0)  # LANCZOS rings slightly beyond the input's range at sharp edges


@dataclass(frozen=True)
class PreparedImages:
    pixels: np.ndarray  # (N, 32, 32) float32 in [0, 1]
    names: tuple[str, ...]  # the file name of each
    skipped: tuple[str, ...]  # "name: reason" for each file that could not be used


def prepare_files(paths: Sequence[str | os.PathLike], invert: bool | None = None) -> PreparedImages:
    """Several files at once (a drop): the images among them prepared, the rest listed with why."""
    pixels, names, skipped = [], [], []
    for path in paths:
        try:
            pixels.append(prepare_image(path, invert))
        except ImageReadError as err:
            skipped.append(str(err))
            continue
        names.append(Path(path).name)
    stacked = np.stack(pixels) if pixels else np.zeros((0, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    return PreparedImages(stacked, tuple(names), tuple(skipped))


def skipped_message(skipped: tuple[str, ...] | list[str]) -> str:
    """One line naming what was left out (the first few; the rest counted)."""
    if not skipped:
        return ""
    listed = "; ".join(skipped[:MAX_LISTED])
    more = f"; and {len(skipped) - MAX_LISTED} more" if len(skipped) > MAX_LISTED else ""
    noun = "file or folder" if len(skipped) == 1 else "files or folders"
    return f"skipped {len(skipped)} {noun}: {listed}{more}"
