"""Drawing recorded frames and latent walks as palette images (numpy; Pillow only for the text).

Palette images with one fixed palette: a GIF then needs no colour quantisation per frame (the
slow part of writing one), and the class colours are the same in every frame.
"""

from __future__ import annotations

import numpy as np

from gaerchen_gui.core.frames import Frames

# The ten classes' colours (matplotlib's tab10, as the map's legend uses).
CLASS_RGB = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
]  # fmt: skip
BACKGROUND, TEXT = 10, 11
GREY0, GREY_LEVELS = 128, 128  # indices 128..255: black to white, for the decoded images
PROBE_COLUMNS, PROBE_ROWS = 8, 2  # the probe images under the map
MARGIN = 0.04  # of the map's side, around the points
SPREAD_QUANTILE = 0.99  # the map is framed on this share of the points: a few far-out codes do not shrink it


def palette() -> np.ndarray:
    """(256, 3) uint8 RGB for the indices this module draws with."""
    colours = np.zeros((256, 3), np.uint8)
    colours[: len(CLASS_RGB)] = CLASS_RGB
    colours[BACKGROUND] = (255, 255, 255)
    colours[TEXT] = (30, 30, 30)
    ramp = np.round(np.arange(GREY_LEVELS) * 255 / (GREY_LEVELS - 1)).astype(np.uint8)
    colours[GREY0:] = ramp[:, None]
    return colours


def grey_indices(images: np.ndarray) -> np.ndarray:
    """Images in [0, 1] floats or 0..255 uint8 -> palette indices of the grey ramp."""
    if images.dtype != np.uint8:
        images = np.round(np.clip(images, 0, 1) * 255).astype(np.uint8)
    return (GREY0 + images.astype(np.uint16) * (GREY_LEVELS - 1) // 255).astype(np.uint8)


def upscale(image: np.ndarray, side: int) -> np.ndarray:
    """Nearest-neighbour resize of a square (h, h) image to (side, side): sharp pixels."""
    rows = np.arange(side) * image.shape[0] // side
    return image[rows][:, rows]


def project(frames: Frames) -> np.ndarray:
    """(F, N, 2) float32 map coordinates of every frame's codes. Two dimensions are drawn as they are;
    more are projected on the last frame's two principal axes (the same axes for every frame, so that
    motion on screen is motion in the space); one gets a second axis spreading the images apart."""
    codes = frames.codes.float().numpy()
    n_frames, n_live, dim = codes.shape
    if dim == 2:
        return codes
    if dim == 1:
        spread = np.broadcast_to(np.linspace(-1, 1, n_live, dtype=np.float32)[None, :, None], codes.shape)
        return np.concatenate([codes, spread * np.abs(codes).max(axis=(1, 2), keepdims=True)], axis=2)
    last = codes[-1] - codes[-1].mean(axis=0)
    _, _, axes = np.linalg.svd(last, full_matrices=False)
    return (codes @ axes[:2].T).astype(np.float32)


def _frame_window(points: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre and half-side of the square that frames ``points`` (N, 2)."""
    centre = np.median(points, axis=0)
    half = float(np.quantile(np.abs(points - centre), SPREAD_QUANTILE)) * 1.15
    return centre, max(half, 1e-6)


def map_pixels(frame_on: np.ndarray, width: int, height: int):
    """The function taking map points (N, 2) to integer pixel columns and rows of a (height, width) map
    framed on the points ``frame_on`` (as :func:`draw_map` frames them)."""
    centre, half = _frame_window(frame_on)
    scale = min(width, height) * (1 - 2 * MARGIN) / (2 * half)

    def to_pixels(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.round(width / 2 + (points[:, 0] - centre[0]) * scale).astype(np.int64)
        y = np.round(height / 2 - (points[:, 1] - centre[1]) * scale).astype(np.int64)  # up is +y
        return x, y

    return to_pixels


def draw_map(points: np.ndarray, labels: np.ndarray, width: int, height: int) -> np.ndarray:
    """(height, width) palette image of ``points`` (N, 2) coloured by ``labels`` (N,)."""
    canvas = np.full((height, width), BACKGROUND, np.uint8)
    x, y = map_pixels(points, width, height)(points)
    radius = max(1, min(width, height) // 256)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            xs, ys = x + dx, y + dy
            inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
            canvas[ys[inside], xs[inside]] = labels[inside]
    return canvas


def draw_probes(probes: np.ndarray, width: int) -> np.ndarray:
    """The (P, 32, 32) uint8 probe images in PROBE_ROWS rows of PROBE_COLUMNS tiles, ``width`` wide."""
    tile = width // PROBE_COLUMNS
    strip = np.full((PROBE_ROWS * tile, width), BACKGROUND, np.uint8)
    for i, image in enumerate(probes[: PROBE_ROWS * PROBE_COLUMNS]):
        row, col = divmod(i, PROBE_COLUMNS)
        strip[row * tile : (row + 1) * tile, col * tile : (col + 1) * tile] = upscale(grey_indices(image), tile)
    return strip


def write_label(canvas: np.ndarray, text: str) -> np.ndarray:
    from PIL import Image, ImageDraw

    image = Image.fromarray(canvas, mode="P")
    ImageDraw.Draw(image).text((6, 4), text, fill=TEXT)
    return np.asarray(image)


def timelapse_frames(frames: Frames, labels: np.ndarray, side: int) -> np.ndarray:
    """(F, side, side) palette images: the map (framed on each frame's own points: the map grows from
    a speck, and a fixed frame would show the early ones as a dot) over the probe images, with the step."""
    points = project(frames)
    tile = side // PROBE_COLUMNS
    map_height = side - PROBE_ROWS * tile
    last_step = int(frames.steps[-1])
    # A fixed order of drawing that mixes the classes, so that none is always painted on top.
    order = np.random.default_rng(0).permutation(points.shape[1])
    out = np.empty((len(frames), side, side), np.uint8)
    for f in range(len(frames)):
        out[f, :map_height] = draw_map(points[f, order], labels[order], side, map_height)
        out[f, map_height:] = draw_probes(frames.probes[f].numpy(), side)
        out[f] = write_label(out[f], f"step {int(frames.steps[f]):,} of {last_step:,}")
    return out


def walk_frames(images: np.ndarray, side: int) -> np.ndarray:
    """(n, side, side) palette images of the decoded walk ``images`` (n, 32, 32) in [0, 1]."""
    return np.stack([upscale(grey_indices(image), side) for image in images])


def walk_strip(images: np.ndarray, side: int) -> np.ndarray:
    """(side, n * side) palette image: the walk's images side by side, from left to right."""
    return np.concatenate(list(walk_frames(images, side)), axis=1)
