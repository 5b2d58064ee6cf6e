"""A latent path as a CSV file of map coordinates: one ``x,y`` row per point, in order.

The columns are the map's two coordinates (for a model with more than two latent dimensions, the
coordinates of the 2-D view it was recorded on). Reading is strict and says in one line what is
wrong and where: a file that half-loads would replay a different path than the one saved.
"""

from __future__ import annotations

import csv
import io
import math
import os
from pathlib import Path

import numpy as np

from gaerchen_gui.core.animation_file import write_atomically

HEADER = ("x", "y")
MAX_POINTS = 100_000  # a recording at 60 moves a second for half an hour; more is not a path but a mistake
MIN_POINTS = 2  # a path has two ends


class PathFileError(ValueError):
    """A CSV that is not a path; ``str(err)`` says why in one line."""


def write_path_csv(path: str | os.PathLike, points: np.ndarray) -> Path:
    """Write ``points`` (N, 2) as ``x,y`` rows under a header; atomically (no partial file)."""
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"a path is (N, 2) map coordinates, not {points.shape}")

    def write(tmp: str) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows((repr(float(x)), repr(float(y))) for x, y in points)

    return write_atomically(path, write)


def read_path_csv(path: str | os.PathLike) -> np.ndarray:
    """(N, 2) float64 points from a file written by :func:`write_path_csv` (the header is optional).
    PathFileError with the file's name and the line if it is not such a file; OSError if unreadable."""
    name = Path(path).name
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise PathFileError(f"{name} is not a text file (a path is a CSV of x,y rows)") from None
    rows = [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text)), start=1) if row]
    if rows and tuple(cell.strip().lower() for cell in rows[0][1]) == HEADER:
        rows = rows[1:]
    if len(rows) > MAX_POINTS:
        raise PathFileError(f"{name} has {len(rows):,} points; a path has at most {MAX_POINTS:,}")
    points = np.empty((len(rows), 2))
    for i, (number, row) in enumerate(rows):
        if len(row) != 2:
            raise PathFileError(f"{name}, line {number}: expected two numbers (x,y), found {len(row)} values")
        for j, cell in enumerate(row):
            try:
                value = float(cell)
            except ValueError:
                raise PathFileError(f"{name}, line {number}: {cell.strip()!r} is not a number") from None
            if not math.isfinite(value):
                raise PathFileError(f"{name}, line {number}: {cell.strip()} is not a finite coordinate")
            points[i, j] = value
    if len(points) < MIN_POINTS:
        raise PathFileError(f"{name} holds {len(points)} point(s); a path needs at least {MIN_POINTS}")
    return points
