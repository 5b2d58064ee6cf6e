"""A latent walk as movie frames: the map with the path and a marker running along it, beside the
image decoded at the marker (the window's path export; ``gaerchen walk`` draws the images alone)."""

from __future__ import annotations

import numpy as np

from gaerchen_gui.core.frame_drawing import TEXT, draw_map, grey_indices, map_pixels, upscale, write_label

MARKER_SHARE = 1 / 48  # the marker's half-side, of the map's side: visible at 160 px, not a blob at 1024


def _line_pixels(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pixel of the polyline through the pixel points ``x``, ``y``: each segment sampled once per pixel."""
    xs, ys = [x[:1]], [y[:1]]
    for i in range(len(x) - 1):
        count = int(max(abs(x[i + 1] - x[i]), abs(y[i + 1] - y[i]))) + 1
        t = np.linspace(0.0, 1.0, count + 1)[1:]
        xs.append(np.round(x[i] + t * (x[i + 1] - x[i])).astype(np.int64))
        ys.append(np.round(y[i] + t * (y[i + 1] - y[i])).astype(np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def _paint(canvas: np.ndarray, x: np.ndarray, y: np.ndarray, radius: int, index: int) -> None:
    height, width = canvas.shape
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            xs, ys = x + dx, y + dy
            inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
            canvas[ys[inside], xs[inside]] = index


def walk_movie_frames(
    map_points: np.ndarray, labels: np.ndarray, path: np.ndarray, images: np.ndarray, side: int
) -> np.ndarray:
    """(n, side, 2 * side) palette images: left the map of ``map_points`` (N, 2) coloured by ``labels``
    with ``path`` (n, 2) drawn on it and a marker at its i-th point, right ``images[i]`` (32, 32) in [0, 1]."""
    base = draw_map(map_points, labels, side, side)
    to_pixels = map_pixels(map_points, side, side)
    px, py = to_pixels(np.asarray(path, dtype=np.float64))
    _paint(base, *_line_pixels(px, py), max(1, side // 256), TEXT)  # 3 px wide at 256, thicker above
    radius = max(2, round(side * MARKER_SHARE))
    out = np.empty((len(path), side, 2 * side), np.uint8)
    for i in range(len(path)):
        frame = base.copy()
        _paint(frame, px[i : i + 1], py[i : i + 1], radius, TEXT)
        out[i, :, :side] = write_label(frame, f"{i + 1} of {len(path)}")
        out[i, :, side:] = upscale(grey_indices(images[i]), side)
    return out
